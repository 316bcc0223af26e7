/** A process whose only purpose is to make the engine compile one JUEL condition (at deployment). */
export function conditionProbe(condition: string, processId: string): string {
  const escaped = condition.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Probe" targetNamespace="http://camunda-gitops/engine-check">
  <process id="${processId}" isExecutable="true" camunda:historyTimeToLive="1">
    <startEvent id="Start" />
    <exclusiveGateway id="Gateway" default="Otherwise" />
    <endEvent id="WhenTrue" />
    <endEvent id="WhenFalse" />
    <sequenceFlow id="In" sourceRef="Start" targetRef="Gateway" />
    <sequenceFlow id="Condition" sourceRef="Gateway" targetRef="WhenTrue">
      <conditionExpression xsi:type="tFormalExpression">${escaped}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="Otherwise" sourceRef="Gateway" targetRef="WhenFalse" />
  </process>
</definitions>
`;
}
