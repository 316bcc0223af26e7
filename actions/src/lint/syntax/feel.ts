import { parseExpression, parseUnaryTests } from "feelin";

export interface FeelProblem {
  message: string;
}

/**
 * Checks a DMN input entry (unary tests) or an output entry / expression with feelin's parser. The
 * engine parses FEEL (feel-scala) when it evaluates a decision, so a parse error fails every
 * evaluation that reaches the entry. feelin and feel-scala can disagree in corner cases; the
 * pull-request's engine check evaluates every rule of the repository's decisions on the real engine
 * and reports any entry where the two disagree.
 */
export function checkFeel(text: string, kind: "unary-tests" | "expression"): FeelProblem | null {
  const trimmed = text.trim();
  if (trimmed === "" || (kind === "unary-tests" && trimmed === "-")) return null;
  const tree =
    kind === "unary-tests"
      ? parseUnaryTests(trimmed, {}, undefined)
      : parseExpression(trimmed, {}, undefined);
  let errorAt = -1;
  tree.iterate({
    enter(node) {
      if (errorAt === -1 && node.type.isError) errorAt = node.from;
      return errorAt === -1;
    },
  });
  if (errorAt === -1) {
    // feelin reads "< 40" after "and"/"or" as a test of the input; the engine's FEEL (feel-scala) does
    // not and fails every evaluation: a comparison with the input only starts a test.
    const compared = kind === "unary-tests" ? /\b(and|or)\s*(<=|>=|<|>)/.exec(stripStrings(trimmed)) : null;
    if (!compared) return null;
    return {
      message: `"${shorten(trimmed)}" compares with the input after "${compared[1]}", which the engine's FEEL does not accept; write a range such as [18..40[ or separate tests with commas`,
    };
  }
  const unbalanced = unbalancedDelimiter(trimmed);
  const what = kind === "unary-tests" ? "FEEL unary tests" : "a FEEL expression";
  return {
    message: unbalanced
      ? `"${shorten(trimmed)}" is not ${what}: ${unbalanced}`
      : `"${shorten(trimmed)}" does not parse as ${what} near character ${errorAt + 1}`,
  };
}

function unbalancedDelimiter(text: string): string | null {
  const closing: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (c === '"') {
      const end = findStringEnd(text, i + 1);
      if (end === -1) return `the string starting at character ${i + 1} is not closed`;
      i = end;
    } else if (c in closing) {
      stack.push(c);
    } else if (c === ")" || c === "]" || c === "}") {
      const open = stack.pop();
      // FEEL ranges may be half-open with the "wrong" bracket: ]1..5[ and (1..5].
      if (open === undefined && !/\.\./.test(text)) return `"${c}" at character ${i + 1} closes nothing`;
      if (open !== undefined && closing[open] !== c && !/\.\./.test(text)) {
        return `"${c}" at character ${i + 1} does not match "${open}"`;
      }
    }
  }
  if (stack.length > 0 && !/\.\./.test(text)) return `"${stack[stack.length - 1]}" is never closed`;
  return null;
}

function findStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function stripStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
