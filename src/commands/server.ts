import type { CommandSpec } from './table.js';

export const COMMANDS: CommandSpec[] = [];
