// biome-ignore-all lint/suspicious/noExplicitAny: moddle trees are untyped; these shims only describe entry points
// Minimal typings for packages that ship none; the moddle trees themselves are dynamic.
declare module "bpmnlint" {
  export class Linter {
    constructor(options: { config?: unknown; resolver: unknown });
    resolveRules(
      config: unknown,
    ): Promise<Array<{ name: string; category: string; config: unknown; rule: unknown }>>;
    applyRule(
      root: unknown,
      definition: { name: string; category: string; config: unknown; rule: unknown },
    ): Array<{ id?: string; message: string; category: string; [key: string]: unknown }>;
  }
}

declare module "bpmnlint/rules/*" {
  const factory: (config?: unknown) => { check: unknown; meta?: unknown };
  export default factory;
}

declare module "bpmnlint/config/*" {
  const config: { rules: Record<string, string> };
  export default config;
}

declare module "dmn-moddle" {
  export class DmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string): Promise<{ rootElement: any; warnings: Array<Error & { element?: any }> }>;
  }
}

declare module "bpmn-moddle" {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
  }
}
