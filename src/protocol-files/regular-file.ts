import { isStreamPath } from '../io/stream-input.js';
import { UsageError } from '../errors.js';

/**
 * A protocol file that streams (a named pipe, `<(…)`, /dev/stdin, a device) is refused before it
 * is opened: a protocol file is read again by every process and thread that runs it (the quick
 * check's process, the command's, each pool thread, Node's module loader), and a pipe's bytes are
 * there once. Read, it left the check's process waiting on the pipe for ever after Ctrl-C ended
 * the command, and once its writer closed the command waited, deaf to Ctrl-C, for a writer gone.
 */
export function refuseStreamingProtocolFile(file: string, where: string): void {
  if (isStreamPath(file))
    throw new UsageError(
      where,
      'is a pipe or a device, not a file: a protocol file is read again by every process and thread that runs it, so save it to a file and name that',
    );
}
