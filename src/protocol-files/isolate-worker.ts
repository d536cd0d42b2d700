import { UsageError } from '../errors.js';
import { STAGES, inertFileTimers, loadProtocolFile, onLoadStage, refuseChangedBuiltIns, refuseDraws, thrownWhere, watchSources } from './load.js';
import type { LoadStage } from './load.js';
import { checkProtocolFile } from './watchdog.js';
import { builtIns } from './built-ins.js';
import { supportsCrashes } from '../contract/protocol.js';
import type { IsolatedReply, IsolatedTask } from './isolate.js';

/**
 * The isolating process (protocol-files/isolate.ts): loads a protocol file, reads its definition and
 * runs the contract's check on it, reporting each stage as it starts, then its digest and the
 * check's report. Whatever the file does — loop, allocate, exit, print — happens here first.
 */
if (!process.send) throw new Error('isolate-worker.js runs only as a child process of twogenerals');
const task = JSON.parse(process.argv[2]!) as IsolatedTask;
watchSources(); // the clocks and random sources watched are those recorded
inertFileTimers(); // so are the timers, whose callbacks the file schedules never run here
const found = builtIns(); // before any of the file's code runs
const cwd = process.cwd();
const send = (reply: IsolatedReply): void => void process.send!(reply);
onLoadStage((stage: LoadStage) => send({ stage }));

try {
  const loaded = await loadProtocolFile(task.file, task.place);
  send({ stage: 'check' });
  const report = await checkProtocolFile(task.file, task.quick, task.checkMs / 1000);
  refuseChangedBuiltIns(task.file, found, STAGES.check, cwd);
  refuseDraws(task.file);
  const protocol = loaded.definition;
  const { name, outcomes, parameters, summary, usesRounds, exactNote, sides } = protocol;
  // Crash support travels as its roles (the methods stay in the isolating process).
  const roles = supportsCrashes(protocol) ? { roles: protocol.roles } : {};
  const description = { name, outcomes, parameters, summary, usesRounds, exactNote, ...(sides ? { sides } : {}), ...roles };
  send({ done: { digest: loaded.digest, report, description: JSON.parse(JSON.stringify(description)) } });
} catch (error) {
  send({ failed: error instanceof UsageError ? error.message : `${STAGES.module}: ${thrownWhere(error, task.file)}` });
}
process.disconnect(); // the file's timers or handles must not keep this process alive
