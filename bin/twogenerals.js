#!/usr/bin/env node
import { startWorkersEarly } from '../dist/bundle/threads.js';

// Pool threads boot while the CLI loads (see src/engine/threads.ts).
startWorkersEarly(process.argv);
const { main } = await import('../dist/bundle/cli.js');
main(process.argv);
