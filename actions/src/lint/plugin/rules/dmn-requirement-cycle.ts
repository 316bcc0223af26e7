import { defineRule, is } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "dmn-requirement-cycle",
  appliesTo: "dmn",
  consequence: "deploy",
  description: "Decision requirements must not form a loop: the engine cannot order the decisions.",
  create: () => (node, reporter) => {
    if (!is(node, "dmn:Definitions")) return undefined;
    const requires = new Map<string, string[]>();
    for (const element of node.drgElement ?? []) {
      if (!is(element, "dmn:Decision")) continue;
      const targets = (element.informationRequirement ?? [])
        .map((r: { requiredDecision?: { href?: string } }) => r.requiredDecision?.href?.replace(/^#/, ""))
        .filter((id: string | undefined): id is string => Boolean(id));
      requires.set(element.id, targets);
    }
    const state = new Map<string, "visiting" | "done">();
    const reported = new Set<string>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === "done") return;
      if (state.get(id) === "visiting") {
        const loop = [...path.slice(path.indexOf(id)), id];
        const start = loop[0] ?? id;
        if (!reported.has(start)) {
          for (const member of loop) reported.add(member);
          reporter.report(start, `decision requirements form a loop (${loop.join(" -> ")}): break the loop`);
        }
        return;
      }
      state.set(id, "visiting");
      for (const target of requires.get(id) ?? []) if (requires.has(target)) visit(target, [...path, id]);
      state.set(id, "done");
    };
    for (const id of requires.keys()) visit(id, []);
    return undefined;
  },
});
