/** bpmn-js-differ ships no types; the comparison test uses its one function. */
declare module "bpmn-js-differ" {
  export function diff(before: unknown, after: unknown): unknown;
}
