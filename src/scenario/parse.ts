import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { UsageError } from '../errors.js';

export type Path = readonly (string | number)[];

/** A scenario's raw data with a way back to where each value was written. */
export interface ScenarioSource {
  /** A file path, or a label such as "(default scenario)". */
  readonly source: string;
  readonly data: Record<string, unknown>;
  /** "file:line:column" of the value at `path` (or of its key, with `key`), as close as known. */
  locate(path: Path, key?: boolean): string;
}

/** Parses YAML or JSON text (JSON is read as YAML 1.2, which contains it). */
export function parseScenarioText(text: string, source: string): ScenarioSource {
  if (text.trim() === '') throw new UsageError(source, 'the file is empty; a scenario needs at least a protocol');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  const error = doc.errors[0];
  if (error) throw new UsageError(at(error.pos[0]), `malformed ${formatName(source)}: ${sentence(error.message)}`);
  if (!isMap(doc.contents)) {
    throw new UsageError(at(doc.contents?.range?.[0] ?? 0), 'a scenario must be a mapping of keys to values (like "protocol: messenger")');
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  return { source, data, locate: (path, key = false) => at(offsetOf(doc, path, key)) };
}

export function readScenarioFile(path: string): ScenarioSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UsageError(path, `cannot read the scenario file: ${why}`);
  }
  return parseScenarioText(text, path);
}

/** The start of the deepest node on `path` that exists (the key's start with `key`). */
function offsetOf(doc: Document, path: Path, key: boolean): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    if (key && depth === path.length && depth > 0) {
      const parent = doc.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === prefix[prefix.length - 1]);
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        if (range) return range[0];
      }
      continue;
    }
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return 0;
}

function formatName(source: string): string {
  return source.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML';
}

function sentence(message: string): string {
  const line = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return line.charAt(0).toLowerCase() + line.slice(1);
}
