import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { inputPath } from '../scenario/shipped.js';

/** Where a file that a recorded scenario names may be now, in the order merge and a re-export try them. */
export interface RecordedPlaces {
  /**
   * The scenario file as recorded (a shipped example: wherever the package is), then resolved
   * from this working folder, each results file's folder and every folder above them: results
   * record a path relative to the folder `run` ran in, which a later command does not know. A
   * full path (the project's folder where it ran) is also taken as moved with the project (another
   * machine, another checkout): its trailing parts (`proj/ci/s.yaml`, `ci/s.yaml`, `s.yaml`),
   * the longest first, resolved from those folders. What is found there is held to its digest.
   * Where no scenario file is recorded, those folders themselves, each standing for the working
   * folder the run's paths were relative to.
   */
  readonly scenarioFiles: readonly string[];
  /** Each results file's folder, then each folder the user named: where a moved file may be put. */
  readonly folders: readonly string[];
}

/** Stands for a scenario given in a folder, not read from a file there: only its folder is used. */
const IN_WORKING_FOLDER = '(the working folder)';

export function recordedPlaces(scenarioFile: unknown, resultFiles: readonly string[], dirs: readonly string[]): RecordedPlaces {
  const resultFolders = resultFiles.map((file) => dirname(resolve(file)));
  const folders = [...new Set([...resultFolders, ...dirs.map((d) => resolve(d))])];
  const starts = [...new Set([process.cwd(), ...resultFolders].flatMap(withParents))];
  const scenarioFiles =
    typeof scenarioFile === 'string'
      ? [
          inputPath(scenarioFile),
          ...starts.map((folder) => resolve(folder, scenarioFile)),
          ...tails(scenarioFile).flatMap((tail) => starts.map((folder) => resolve(folder, tail))),
        ]
      : // No scenario file (the default scenario given a protocol or trace file by --set): its paths
        // are the working folder's where it ran, looked for as a scenario file's folder would be.
        starts.map((folder) => join(folder, IN_WORKING_FOLDER));
  return { scenarioFiles, folders };
}

/** A full path's trailing parts, the longest first, the path itself left out (none for a relative path). */
function tails(path: string): string[] {
  if (!isAbsolute(path)) return [];
  const parts = resolve(path)
    .split(sep)
    .filter((part) => part !== '');
  return parts.slice(1).map((_, i) => parts.slice(i + 1).join(sep));
}

/** A folder and every folder above it. */
export function withParents(folder: string): string[] {
  const all = [folder];
  for (let up = dirname(folder); up !== all[all.length - 1]; up = dirname(up)) all.push(up);
  return all;
}
