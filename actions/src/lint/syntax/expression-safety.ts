/**
 * Which JUEL expressions do more than read variables. In the engine an expression can call any public
 * method of any object it reaches (and in Camunda Run every Spring bean by name), so the policy is an
 * allow-list: reading process variables and a few documented helpers; everything else is code.
 */
import { analyzeJuel } from "./juel.js";

/** Objects the engine puts into an expression's context. */
const CONTEXT_OBJECTS = new Set(["execution", "task", "externalTask"]);

/** Read-only accessors of those objects: variables and identifiers of the running instance. */
const READERS = new Set([
  "getVariable",
  "getVariableLocal",
  "getVariableTyped",
  "getVariableLocalTyped",
  "hasVariable",
  "hasVariableLocal",
  "hasVariables",
  "getVariables",
  "getVariablesLocal",
  "getVariableNames",
  "getVariableNamesLocal",
  "getProcessBusinessKey",
  "getBusinessKey",
  "getProcessInstanceId",
  "getProcessDefinitionId",
  "getId",
  "getActivityInstanceId",
  "getCurrentActivityId",
  "getCurrentActivityName",
  "getActivityId",
  "getEventName",
  "getTenantId",
  "getName",
  "getTaskDefinitionKey",
  "getAssignee",
  "getOwner",
  "getPriority",
  "getDueDate",
  "getCreateTime",
]);

/** The result of a business rule task, in its output mappings (`decisionResult`). */
const DECISION_RESULT = new Set([
  "getSingleResult",
  "getSingleEntry",
  "getSingleEntryTyped",
  "getResultList",
  "getFirstResult",
  "collectEntries",
  "getEntry",
  "getEntryTyped",
  "getEntryMap",
  "get",
  "size",
  "isEmpty",
]);

/** Camunda's functions for expressions, and Spin's readers for JSON and XML values. */
const FUNCTIONS = new Set(["now", "dateTime", "currentUser", "currentUserGroups", "S", "JSON", "XML"]);
const SPIN_READERS = new Set([
  "prop",
  "hasProp",
  "stringValue",
  "numberValue",
  "boolValue",
  "isNull",
  "isObject",
  "isArray",
  "isString",
  "isNumber",
  "isBoolean",
  "isValue",
  "value",
  "elements",
  "jsonPath",
  "element",
  "elementList",
  "string",
  "number",
  "bool",
  "attr",
  "hasAttr",
  "childElement",
  "childElements",
  "textContent",
  "xPath",
]);

/** Names that lead to the engine's services, Java reflection or the process. */
const DANGEROUS_NAMES = new Set([
  "processEngineServices",
  "processEngine",
  "processEngineConfiguration",
  "runtimeService",
  "repositoryService",
  "taskService",
  "identityService",
  "authorizationService",
  "managementService",
  "historyService",
  "formService",
  "filterService",
  "externalTaskService",
  "caseService",
  "decisionService",
  "applicationContext",
  "class",
  "classLoader",
  "declaringClass",
  "runtime",
]);

const REFLECTION = new Set([
  "getClass",
  "forName",
  "getRuntime",
  "exec",
  "invoke",
  "newInstance",
  "getMethod",
  "getDeclaredMethod",
  "loadClass",
  "getClassLoader",
]);

/** One sentence per thing the expression does beyond reading variables; empty when it only reads. */
export function unsafeExpressionUses(text: string): string[] {
  const usage = analyzeJuel(text);
  if (!usage) return [];
  const problems = new Set<string>();
  for (const call of usage.calls) {
    const root = call.receiver?.split(/[.[]/)[0] ?? null;
    if (call.receiver === null) {
      if (call.name.includes(":")) problems.add(`calls the static Java function ${call.name}()`);
      else if (!FUNCTIONS.has(call.name))
        problems.add(`calls ${call.name}(), which is not one of Camunda's expression functions`);
      continue;
    }
    if (REFLECTION.has(call.name)) {
      problems.add(`calls ${call.name}() on ${call.receiver}: Java reflection or process execution`);
    } else if (/Services?$|ProcessEngine/.test(call.name)) {
      problems.add(`calls ${call.name}() on ${call.receiver}: it reaches the engine's services`);
    } else if (call.receiver !== null && CONTEXT_OBJECTS.has(call.receiver) && READERS.has(call.name)) {
      // reads a variable or an id of the running instance
    } else if (root === "decisionResult" && DECISION_RESULT.has(call.name)) {
      // reads the decision result
    } else if ((root === "S" || root === "JSON" || root === "XML") && SPIN_READERS.has(call.name)) {
      // reads a JSON or XML value
    } else {
      problems.add(`calls the method ${call.name}() on ${call.receiver}`);
    }
  }
  for (const name of [...usage.properties, ...usage.identifiers]) {
    if (DANGEROUS_NAMES.has(name)) problems.add(`reads "${name}", which leads to the engine's internals`);
  }
  return [...problems];
}
