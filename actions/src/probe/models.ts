/**
 * The tiny models the full engine probe deploys. Each checks one capability by letting the engine
 * itself do it: run a Groovy and a JavaScript script, read Spin XML and JSON in expressions, call the
 * HTTP connector (at a loopback port nothing listens on), and parse a model without a history time to
 * live. They are deployed under one name and source, and deleted again after the probe.
 */

export const probeDeploymentName = "camunda-gitops-probe";
export const probeDeploymentSource = "camunda-gitops-probe";

export const scriptsProcessKey = "camunda_gitops_probe_scripts";
export const javascriptProcessKey = "camunda_gitops_probe_javascript";
export const connectorProcessKey = "camunda_gitops_probe_connector";
export const noTtlProcessKey = "camunda_gitops_probe_no_ttl";

const header = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="probe" targetNamespace="https://camunda-gitops/probe">`;

/**
 * Groovy reports its version, the JVM's time zone and every script engine the JVM can find; Spin
 * reads the XML and JSON variables the probe starts the instance with.
 */
export const scriptsProcess = `${header}
  <bpmn:process id="${scriptsProcessKey}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="toGroovy" sourceRef="start" targetRef="groovy" />
    <bpmn:scriptTask id="groovy" scriptFormat="groovy" camunda:resultVariable="groovyReport">
      <bpmn:script><![CDATA[
def engines = new javax.script.ScriptEngineManager().engineFactories.collect { it.engineName + " " + it.engineVersion }.sort()
groovy.json.JsonOutput.toJson([groovy: GroovySystem.version, timeZone: java.util.TimeZone.getDefault().getID(), engines: engines])
]]></bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="toSpin" sourceRef="groovy" targetRef="spin" />
    <bpmn:serviceTask id="spin" camunda:expression="\${true}">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:outputParameter name="xmlAttribute">\${XML(probeXml).attr("kind").value()}</camunda:outputParameter>
          <camunda:outputParameter name="jsonProperty">\${JSON(probeJson).prop("kind").stringValue()}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="toEnd" sourceRef="spin" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;

/**
 * Plain JavaScript that touches no Java object. With the engines' configureScriptEngineHostAccess=false
 * GraalJS still refuses it ("ReferenceError: Java is not defined": the script engine's own binding code
 * needs host access), so JavaScript is expected not to run at all; on an engine with host access it
 * answers "Graal.js:2,4,6". A process of its own, so its failure leaves the Groovy and Spin checks alone.
 */
export const javascriptProcess = `${header}
  <bpmn:process id="${javascriptProcessKey}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="toJavascript" sourceRef="start" targetRef="javascript" />
    <bpmn:scriptTask id="javascript" scriptFormat="javascript" camunda:resultVariable="javascriptReport">
      <bpmn:script>(typeof Graal === "object" ? "Graal.js" : "JavaScript") + ":" + [1, 2, 3].map(function (n) { return n * 2; }).join(",")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="toEnd" sourceRef="javascript" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;

/** Port 9 (discard) on loopback: if the connector exists, the call fails locally and goes nowhere. */
export const connectorProcess = `${header}
  <bpmn:process id="${connectorProcessKey}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="toCall" sourceRef="start" targetRef="call" />
    <bpmn:serviceTask id="call">
      <bpmn:extensionElements>
        <camunda:connector>
          <camunda:connectorId>http-connector</camunda:connectorId>
          <camunda:inputOutput>
            <camunda:inputParameter name="url">http://127.0.0.1:9/camunda-gitops-probe</camunda:inputParameter>
            <camunda:inputParameter name="method">GET</camunda:inputParameter>
          </camunda:inputOutput>
        </camunda:connector>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="toEnd" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;

/** No camunda:historyTimeToLive: an engine that enforces it (the 7.23 default) refuses the deployment. */
export const noTtlProcess = `${header}
  <bpmn:process id="${noTtlProcessKey}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="toEnd" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;
