/**
 * Whether Node's permission model (`--permission`; `--experimental-permission` on Node 20) lets
 * this process use `scope` (`worker`: start threads, `child`: start processes): always, where the
 * model is off.
 */
export function permitted(scope: 'worker' | 'child'): boolean {
  const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
  return !permission || permission.has(scope);
}
