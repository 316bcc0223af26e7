/**
 * Syntax check for JUEL (Unified EL 2.2, as the Camunda 7 engine uses it): literal text mixed with
 * `${…}` / `#{…}` evaluations. It parses, it does not evaluate: names and methods are resolved only
 * at run time. Returns a message for the first problem, or null when the text is well formed.
 */
export function checkJuel(text: string): string | null {
  let deferred: boolean | null = null;
  let i = 0;
  while (i < text.length) {
    const open = findEvalStart(text, i);
    if (open === -1) break;
    const isDeferred = text[open] === "#";
    if (deferred !== null && deferred !== isDeferred) {
      return `an expression cannot mix \${…} and #{…}`;
    }
    deferred = isDeferred;
    const parser = new JuelParser(text, open + 2);
    const problem = parser.parseEval();
    if (problem) return problem;
    i = parser.pos;
  }
  return null;
}

/**
 * A condition (sequence flow, conditional event) must be exactly one `${…}`/`#{…}` that yields a boolean;
 * literal text around it turns the result into a string the engine then coerces.
 */
export function checkJuelCondition(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return "the condition is empty";
  if (!/^[$#]\{/.test(trimmed) || !trimmed.endsWith("}")) {
    return `a condition must be one JUEL expression such as \${amount > 1000}`;
  }
  const problem = checkJuel(trimmed);
  if (problem) return problem;
  const parser = new JuelParser(trimmed, 2);
  parser.parseEval();
  if (parser.pos !== trimmed.length) {
    return "a condition must be one JUEL expression, without text or a second expression after it";
  }
  return null;
}

/**
 * The calls, properties and names of every `${…}`/`#{…}` in the text, or null when it does not parse
 * (the syntax rule reports that).
 */
export function analyzeJuel(text: string): JuelUsage | null {
  const usage: JuelUsage = { calls: [], properties: [], identifiers: [] };
  let i = 0;
  while (i < text.length) {
    const open = findEvalStart(text, i);
    if (open === -1) break;
    const parser = new JuelParser(text, open + 2);
    if (parser.parseEval()) return null;
    usage.calls.push(...parser.found.calls);
    usage.properties.push(...parser.found.properties);
    usage.identifiers.push(...parser.found.identifiers);
    i = parser.pos;
  }
  return usage;
}

function findEvalStart(text: string, from: number): number {
  for (let i = from; i < text.length - 1; i++) {
    const c = text[i];
    if (c === "\\" && (text[i + 1] === "$" || text[i + 1] === "#")) {
      i++;
      continue;
    }
    if ((c === "$" || c === "#") && text[i + 1] === "{") return i;
  }
  return -1;
}

const KEYWORD_OPERATORS = new Set([
  "and",
  "or",
  "not",
  "eq",
  "ne",
  "lt",
  "gt",
  "le",
  "ge",
  "div",
  "mod",
  "empty",
  "instanceof",
]);
const LITERAL_WORDS = new Set(["true", "false", "null"]);
/** JUEL's reserved words: never identifiers, not even after ".". */
const RESERVED = new Set([...KEYWORD_OPERATORS, ...LITERAL_WORDS]);

/**
 * Functions the engine's expressions can call: Camunda's own and Spin's (Camunda Run and the local
 * engine both have the Spin plugin). The engine resolves function names when it compiles an
 * expression, so any other name, and any prefixed one (`fn:x`), fails the deployment.
 */
export const ENGINE_FUNCTIONS = new Set([
  "now",
  "dateTime",
  "currentUser",
  "currentUserGroups",
  "S",
  "JSON",
  "XML",
]);

type Token = { kind: "ident" | "number" | "string" | "op" | "end"; value: string; at: number };

class SyntaxProblem extends Error {}

/** What an expression does: the methods and functions it calls, the properties and names it reads. */
export interface JuelUsage {
  /** `receiver` is the path the method is called on (`execution`, `execution.processEngineServices`), null for a function. */
  calls: Array<{ name: string; receiver: string | null }>;
  properties: string[];
  identifiers: string[];
}

class JuelParser {
  pos: number;
  private token: Token;
  readonly found: JuelUsage = { calls: [], properties: [], identifiers: [] };

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
    this.token = { kind: "end", value: "", at: start };
  }

  /** Parses from after `${` up to and including the closing `}`. */
  parseEval(): string | null {
    try {
      this.next();
      if (this.token.kind === "op" && this.token.value === "}") return `the expression \${} is empty`;
      this.expression();
      if (!(this.token.kind === "op" && this.token.value === "}")) {
        this.fail(this.token.kind === "end" ? "a closing } is missing" : `unexpected "${this.token.value}"`);
      }
      return null;
    } catch (error) {
      if (error instanceof SyntaxProblem) return error.message;
      throw error;
    }
  }

  private fail(message: string): never {
    this.failAt(this.token, message);
  }

  private failAt(token: Token, message: string): never {
    throw new SyntaxProblem(`${message} at character ${token.at + 1}`);
  }

  private isOp(...values: string[]): boolean {
    return (this.token.kind === "op" || this.token.kind === "ident") && values.includes(this.token.value);
  }

  private expect(value: string): void {
    if (!this.isOp(value))
      this.fail(this.token.kind === "end" ? `"${value}" is missing` : `expected "${value}"`);
    this.next();
  }

  private expression(): void {
    this.binary(0);
    if (this.isOp("?")) {
      this.next();
      this.expression();
      this.expect(":");
      this.expression();
    }
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [
    ["||", "or"],
    ["&&", "and"],
    ["==", "!=", "eq", "ne"],
    ["<", ">", "<=", ">=", "lt", "gt", "le", "ge"],
    ["+", "-"],
    ["*", "/", "%", "div", "mod"],
  ];

  private binary(level: number): void {
    const operators = JuelParser.LEVELS[level];
    if (!operators) {
      this.unary();
      return;
    }
    this.binary(level + 1);
    while (this.isOp(...operators)) {
      this.next();
      this.binary(level + 1);
    }
  }

  private unary(): void {
    if (this.isOp("-", "!", "not", "empty")) {
      this.next();
      this.unary();
      return;
    }
    this.value();
  }

  private value(): void {
    const token = this.token;
    if (token.kind === "number" || token.kind === "string") {
      this.next();
    } else if (token.kind === "ident" && LITERAL_WORDS.has(token.value)) {
      this.next();
    } else if (this.isOp("(")) {
      this.next();
      this.expression();
      this.expect(")");
    } else if (token.kind === "ident" && token.value === "instanceof") {
      this.fail('"instanceof" is reserved in JUEL and cannot be used');
    } else if (token.kind === "ident" && !KEYWORD_OPERATORS.has(token.value)) {
      this.next();
      // ns:function(…) — EL functions with a prefix.
      if (this.isOp(":") && this.peekIdentifierCall()) {
        this.next();
        const name = this.token.value;
        this.fail(`the engine has no function ${token.value}:${name}()`);
      } else if (this.isOp("(")) {
        if (!ENGINE_FUNCTIONS.has(token.value)) {
          this.failAt(
            token,
            `the engine has no function ${token.value}() (it has ${[...ENGINE_FUNCTIONS].join(", ")})`,
          );
        }
        this.found.calls.push({ name: token.value, receiver: null });
        this.arguments();
      } else {
        this.found.identifiers.push(token.value);
      }
    } else {
      this.fail(token.kind === "end" ? "the expression ends too early" : `unexpected "${token.value}"`);
    }
    // Suffixes apply to any value, literals included: 'text'.concat(x), [a][0].
    let receiver = token.value;
    for (;;) {
      if (this.isOp(".")) {
        this.next();
        if (this.token.kind !== "ident") this.fail("a property name is expected after '.'");
        if (RESERVED.has(this.token.value))
          this.fail(
            `"${this.token.value}" is a JUEL keyword and cannot be a property name; use ['${this.token.value}']`,
          );
        const name = this.token.value;
        this.next();
        if (this.isOp("(")) {
          this.found.calls.push({ name, receiver });
          this.arguments();
        } else this.found.properties.push(name);
        receiver = `${receiver}.${name}`;
      } else if (this.isOp("[")) {
        this.next();
        this.expression();
        this.expect("]");
        if (this.isOp("(")) {
          this.found.calls.push({ name: "[…]", receiver });
          this.arguments();
        }
        receiver = `${receiver}[…]`;
      } else {
        return;
      }
    }
  }

  /** After `name` and at `:`, tells `ns:fn(` (a function) from the `:` of `a ? b : c`. */
  private peekIdentifierCall(): boolean {
    return /^\s*[\p{L}_$][\p{L}\p{N}_$]*\s*\(/u.test(this.text.slice(this.pos));
  }

  private arguments(): void {
    this.expect("(");
    if (this.isOp(")")) {
      this.next();
      return;
    }
    this.expression();
    while (this.isOp(",")) {
      this.next();
      this.expression();
    }
    this.expect(")");
  }

  private next(): void {
    const text = this.text;
    while (this.pos < text.length && /\s/.test(text[this.pos] ?? "")) this.pos++;
    const at = this.pos;
    if (at >= text.length) {
      this.token = { kind: "end", value: "", at };
      return;
    }
    const rest = text.slice(at);
    const c = text[at] ?? "";
    if (c === "'" || c === '"') {
      let i = at + 1;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\") {
          // JUEL knows three escapes in strings: \\, \' and \".
          const escaped = text[i + 1] ?? "";
          if (!["\\", "'", '"'].includes(escaped)) {
            this.token = { kind: "end", value: "", at: i };
            throw new SyntaxProblem(
              `"\\${escaped}" is not an escape JUEL knows (only \\\\, \\' and \\") at character ${i + 1}`,
            );
          }
          i += 2;
        } else i++;
      }
      if (i >= text.length) {
        this.token = { kind: "end", value: "", at };
        throw new SyntaxProblem(`a string starting at character ${at + 1} is not closed`);
      }
      this.pos = i + 1;
      this.token = { kind: "string", value: text.slice(at, this.pos), at };
      return;
    }
    const number = /^(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      this.token = { kind: "number", value: number[0], at };
      return;
    }
    // Java identifiers: letters of any script, digits, _ and $.
    const ident = /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(rest);
    if (ident) {
      this.pos += ident[0].length;
      this.token = { kind: "ident", value: ident[0], at };
      return;
    }
    const op = /^(==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()[\]{}])/.exec(rest);
    if (op) {
      this.pos += op[0].length;
      this.token = { kind: "op", value: op[0], at };
      return;
    }
    this.token = { kind: "op", value: c, at };
    throw new SyntaxProblem(`unexpected character "${c}" at character ${at + 1}`);
  }
}
