#!/usr/bin/env node
import { startEarly } from '../dist/bundle/early.js';

// Pool threads boot while the CLI loads (see src/cli/early.ts).
startEarly(process.argv);
const { main } = await import('../dist/bundle/cli.js');
main(process.argv);
