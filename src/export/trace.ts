import { inlineText, mermaidText } from '../io/text.js';
import { thousands } from './numbers.js';
import type { TraceEvent, TrialTrace } from '../trace/trace.js';

const OUTCOME_WORDS: Record<string, string> = {
  both: 'both generals attack (coordinated)',
  neither: 'neither general attacks (safe)',
  onlyA: 'A attacks alone (disagreement)',
  onlyB: 'B attacks alone (disagreement)',
  committed: 'every cohort committed',
  aborted: 'the transaction aborted everywhere',
  blocked: 'some cohort is in doubt (blocked, holding its locks)',
  inconsistent: 'one cohort committed and another aborted (inconsistent)',
};

/**
 * The commit outcomes in a trial where some node crashed: they count the decisions made
 * (docs/writing-a-protocol.md, "Crashes"), and a node that crashed in doubt or unprepared made
 * none, so "every cohort committed" would tell what did not happen.
 */
const CRASH_OUTCOME_WORDS: Record<string, string> = {
  committed: 'committed: every decision made is COMMIT (a node that crashed undecided made none)',
  aborted: 'aborted: every decision made is ABORT, or none was made',
  inconsistent: 'two decisions differ (inconsistent)',
};

/** The outcome in words, as the trial's crashes let it be told. */
function outcomeWords(t: TrialTrace): string {
  const crashed = t.events.some((e) => e.kind === 'crash');
  return (crashed ? CRASH_OUTCOME_WORDS[t.outcome] : undefined) ?? OUTCOME_WORDS[t.outcome] ?? t.outcome;
}

function heading(t: TrialTrace): string {
  const params = Object.entries(t.cell.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return inlineText(
    `${t.cell.scenario.name}, cell ${t.cell.index + 1} (${params}): trial ${thousands(t.trial)} of ${thousands(t.cell.scenario.trials)}, seed ${t.cell.scenario.seed}`,
  );
}

function names(t: TrialTrace, e: { direction?: 0 | 1; peer: number }): [string, string] {
  const b = e.peer >= 0 ? `${t.sides[1]} ${e.peer + 1}` : t.sides[1];
  return e.direction === 1 ? [b, t.sides[0]] : [t.sides[0], b];
}

/** Who a crash event names: the A side, or the B side (numbered where it is a group of peers). */
function crashedName(t: TrialTrace, node: number): string {
  if (node === 0) return t.sides[0];
  return t.peers ? `${t.sides[1]} ${node}` : t.sides[1];
}

const copiesText = (copies: number): string => `${copies} cop${copies === 1 ? 'y' : 'ies'}`;

function chooseText(e: Extract<TraceEvent, { kind: 'choose' }>): string {
  if (e.label === 'vote') return e.choice === 0 ? 'votes YES' : 'votes NO';
  if (e.label === 'key') return `key drawn: ${e.choice + 1}`;
  return `${e.label}: choice ${e.choice + 1}`;
}

const traceStartText = (start: NonNullable<TrialTrace['traceStart']>): string =>
  `the trace replayed from its packet ${thousands(start.position + 1)} of ${thousands(start.packets)}`;

/**
 * Whether an event starts a round after `round`, the one shown: a send or a crash in another
 * round, or a choice naming a later round (a cohort's vote opening the run of a round whose first
 * send is its own, after the round's crashes); a choice naming none stays in the round shown.
 */
function opensRound(e: TraceEvent, round: number): boolean {
  return e.kind === 'choose' ? e.round > round : e.round !== round;
}

/** A readable timeline: one line per message, each side's state after every round. */
export function traceText(t: TrialTrace): string {
  const lines = [heading(t), ...(t.traceStart ? [traceStartText(t.traceStart)] : []), ''];
  let round = 0;
  let lastState = '';
  for (const e of t.events) {
    let prefix = '         ';
    if (opensRound(e, round)) {
      if (lastState) lines.push(`          ${lastState}`);
      round = e.round;
      prefix = `round ${String(e.round).padEnd(3)}`;
    }
    if (e.kind === 'send') {
      const [from, to] = names(t, e);
      const fate = e.received
        ? arrivedText(t.copies, e.delivered)
        : e.toCrashed
          ? `not received, ${to} has crashed`
          : t.copies === 1
            ? 'lost'
            : `all ${t.copies} lost`;
      lines.push(`${prefix} ${from} → ${to}: ${e.label}, ${copiesText(t.copies)}: ${fate}`);
    } else if (e.kind === 'crash') {
      lines.push(`${prefix} ${crashedName(t, e.node)} crashes`);
    } else {
      const who = e.peer >= 0 ? `${t.sides[1]} ${e.peer + 1}` : e.label === 'key' ? t.sides[0] : '';
      lines.push(`${prefix} ${who ? `${who} ` : ''}${chooseText(e)}`);
    }
    lastState = e.state;
  }
  lines.push(`          ${t.finalState}`, '', `outcome: ${outcomeWords(t)}; ${counted(t.messages, 'message')}, ${counted(t.messages * t.copies, 'messenger')}`);
  // Labels, states and names come from protocols (a protocol file may hold anything): each line
  // is written as one line of visible text.
  return `${lines.map(inlineText).join('\n')}\n`;
}

/** Words a sequence diagram reads as its own syntax: no participant's identifier. */
const MERMAID_WORDS = new Set(
  'participant actor as end loop alt else opt par and rect note over left right of activate deactivate autonumber critical break box create destroy title links link properties details option'.split(
    ' ',
  ),
);

/** A Mermaid sequence diagram (GitHub renders it in Markdown); lost messages end in a cross. */
export function traceMermaid(t: TrialTrace): string {
  // Each name its own identifier: letters and digits of the name, never one another name has
  // (`A-1` and `A1`) or a word Mermaid reads as syntax (`end`), else with a number after it.
  const ids = new Map<string, string>();
  const actor = (name: string): string => {
    let id = ids.get(name);
    if (id === undefined) {
      const base = name.replace(/[^A-Za-z0-9]/g, '') || 'X';
      const taken = new Set(ids.values());
      id = base;
      for (let n = 2; taken.has(id) || MERMAID_WORDS.has(id.toLowerCase()); n++) id = `${base}${n}`;
      ids.set(name, id);
    }
    return id;
  };
  const participants = new Set<string>([t.sides[0]]);
  for (const e of t.events) {
    if (e.kind === 'send') names(t, e).forEach((n) => participants.add(n));
    else if (e.kind === 'crash') participants.add(crashedName(t, e.node));
  }
  if (participants.size === 1) participants.add(t.sides[1]);
  const all = [...participants];
  const lines = ['sequenceDiagram', ...all.map((p) => `  participant ${actor(p)} as ${mermaidText(p)}`)];
  const span = `${actor(all[0]!)},${actor(all[all.length - 1]!)}`;
  if (t.traceStart) lines.push(`  Note over ${span}: ${mermaidText(traceStartText(t.traceStart))}`);
  let round = 0;
  for (const e of t.events) {
    if (opensRound(e, round)) {
      round = e.round;
      lines.push(`  Note over ${span}: round ${round}`);
    }
    if (e.kind === 'choose') {
      const who = e.peer >= 0 ? actor(`${t.sides[1]} ${e.peer + 1}`) : actor(t.sides[0]);
      lines.push(`  Note over ${who}: ${mermaidText(chooseText(e))}`);
      continue;
    }
    if (e.kind === 'crash') {
      lines.push(`  Note over ${actor(crashedName(t, e.node))}: crashes`);
      continue;
    }
    const [from, to] = names(t, e);
    lines.push(
      `  ${actor(from)}${e.received ? '->>' : '-x'}${actor(to)}: ${mermaidText(`${e.label} (${copiesText(t.copies)}${e.received ? (e.delivered !== undefined && t.copies > 1 ? `, ${arrivedText(t.copies, e.delivered)}` : '') : e.toCrashed ? `, ${to} has crashed` : t.copies === 1 ? ', lost' : ', all lost'})`)}`,
    );
  }
  lines.push(`  Note over ${span}: ${mermaidText(outcomeWords(t))}`);
  return `${lines.join('\n')}\n`;
}

/** A received message's fate: over a replayed trace, how many of its copies arrived (known there); else that it arrived. */
function arrivedText(copies: number, delivered: number | undefined): string {
  if (delivered === undefined || copies === 1) return 'arrived';
  return delivered === copies ? `all ${copies} arrived` : `${delivered} of ${copies} arrived`;
}

/** A count and its noun, singular for one. */
const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
