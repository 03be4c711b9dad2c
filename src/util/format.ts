// Text formats Redis uses in replies and logs: sdscatrepr quoting, bytesToHuman.

/** Quotes a string as Redis's sdscatrepr does (MONITOR, CLIENT LIST...). */
export function reprString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      default:
        if (c >= 32 && c < 127) out += ch;
        else out += '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}


/** Redis's bytesToHuman: 1023B, 1.00K, 2.50M, ... */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}
