/**
 * `WWW-Authenticate` parsing (RFC 7235).
 * @module
 */

/** One challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses every challenge of one or more header values; never throws. */
export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  const values = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  const out: Challenge[] = [];
  for (const v of values) {
    let i = 0;
    let current: Challenge | undefined;
    const s = String(v);
    while (i < s.length) {
      while (i < s.length && /[\s,]/.test(s[i]!)) i++;
      const tm = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(s.slice(i));
      if (!tm) {
        i++;
        continue;
      }
      const token = tm[0];
      let j = i + token.length;
      while (j < s.length && s[j] === " ") j++;
      if (s[j] === "=" && current) {
        j++;
        while (j < s.length && s[j] === " ") j++;
        let value = "";
        if (s[j] === '"') {
          j++;
          while (j < s.length && s[j] !== '"') {
            if (s[j] === "\\" && j + 1 < s.length) j++;
            value += s[j];
            j++;
          }
          j++;
        } else {
          const vm = /^[^,\s]*/.exec(s.slice(j))!;
          value = vm[0];
          j += value.length;
        }
        current.params[token.toLowerCase()] = value;
        i = j;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
        i = i + token.length;
      }
    }
  }
  return out;
}

/** Bearer over Basic; unknown schemes ignored. */
export function preferredChallenge(chs: Challenge[]): Challenge | undefined {
  return chs.find((c) => c.scheme === "bearer") ?? chs.find((c) => c.scheme === "basic");
}
