/**
 * Adds camunda:historyTimeToLive to every <process> start tag that has none, on the same line, so a
 * corpus file deploys on 7.23 (which refuses processes without one) with its line numbers unchanged.
 * Works on the text (any encoding read as latin1 keeps its bytes), outside comments and CDATA.
 */
const CAMUNDA = "http://camunda.org/schema/1.0/bpmn";
const ACTIVITI = "http://activiti.org/bpmn";

export function withHistoryTtl(text: string, _encoding = "latin1", ttl = "P1D"): string {
  const skipped: Array<[number, number]> = [];
  for (const m of text.matchAll(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g))
    skipped.push([m.index, m.index + m[0].length]);
  const inSkipped = (offset: number) => skipped.some(([from, to]) => offset >= from && offset < to);
  const startTag = (from: number) => text.slice(from, tagEnd(text, from));

  let rootTag = "";
  for (const m of text.matchAll(/<[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/g)) {
    if (inSkipped(m.index)) continue;
    rootTag = startTag(m.index);
    break;
  }
  const rootNamespaces = namespaces(rootTag);
  const inserts: Array<{ at: number; text: string }> = [];
  for (const m of text.matchAll(/<(?:([A-Za-z_][\w.-]*):)?process(?=[\s/>])/g)) {
    if (inSkipped(m.index)) continue;
    const tag = startTag(m.index);
    if (/(^|\s|:)historyTimeToLive\s*=/.test(tag.replace(/^<\S+/, " "))) continue;
    const scope = new Map([...rootNamespaces, ...namespaces(tag)]);
    const prefix = [...scope].find(([p, uri]) => p !== "" && (uri === CAMUNDA || uri === ACTIVITI))?.[0];
    let insert: string;
    if (prefix) insert = ` ${prefix}:historyTimeToLive="${ttl}"`;
    else {
      let name = "camunda";
      while (scope.has(name)) name += "Ttl";
      insert = ` xmlns:${name}="${CAMUNDA}" ${name}:historyTimeToLive="${ttl}"`;
    }
    inserts.push({ at: m.index + m[0].length, text: insert });
  }
  let out = text;
  for (const { at, text: insert } of inserts.reverse()) out = out.slice(0, at) + insert + out.slice(at);
  return out;
}

function tagEnd(text: string, from: number): number {
  let quote: string | null = null;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i + 1;
  }
  return text.length;
}

function namespaces(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/xmlns(?::([\w.-]+))?\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    found.set(m[1] ?? "", m[3] ?? m[4] ?? "");
  }
  return found;
}
