// Log lines in redis-server's format:
//   <pid>:<role> <dd> <Mon> <yyyy> <hh:mm:ss.mmm> <level char> <message>
// role: M primary, S replica, X sentinel, C child; level: . debug, - verbose,
// * notice, # warning. Written to stdout, or appended to `logfile`.

import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<string, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export class Logger {
  level: LogLevel = 'notice';
  file = '';
  role = 'M';

  log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const d = new Date();
    const ts = `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
    this.write(`${process.pid}:${this.role} ${ts} ${MARK[level]} ${msg}\n`);
  }

  /** Text written as it is, without the pid, time and level prefix (Redis's LL_RAW), at `level`. */
  raw(level: Exclude<LogLevel, 'nothing'>, text: string): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    this.write(text);
  }

  private write(line: string): void {
    if (this.file) {
      try {
        appendFileSync(this.file, line);
        return;
      } catch {
        // Fall back to stdout if the log file cannot be written.
      }
    }
    process.stdout.write(line);
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }
}
