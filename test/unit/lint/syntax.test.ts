// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL expressions are the test data here
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkFeel } from "#core/lint/syntax/feel.js";
import { isIsoDateTime, isIsoDuration, isTimeCycle } from "#core/lint/syntax/iso8601.js";
import { checkJuel, checkJuelCondition } from "#core/lint/syntax/juel.js";

describe("JUEL syntax", () => {
  const valid = [
    "${amount > 1000}",
    "${amount gt 1000 and not empty applicant.name}",
    "#{risk == 'HIGH' || score >= 7.5}",
    '${customer.addresses[0].city eq "Berlin"}',
    "${execution.getVariable('x') != null ? true : false}",
    "${S(order).prop('amount').numberValue() > now().getTime()}",
    "${-x < 3 && !flag}",
  ];
  for (const text of valid) {
    test(`accepts ${text}`, () => assert.equal(checkJuelCondition(text), null));
  }
  const invalid: Array<[string, RegExp]> = [
    ["amount > 1000", /one JUEL expression/],
    ["${amount >> 1000}", /unexpected ">"/],
    ["${amount = 1000}", /unexpected character "="/],
    ["${amount > }", /unexpected "}"/],
    ["${(a > 1}", /expected "\)"/],
    ["${'open}", /not closed/],
    ["${}", /empty/],
    ["${a} and ${b}", /without text or a second expression/],
    // What the engine's JUEL refuses although it looks like EL (found by comparing with the engine).
    ["${x instanceof y}", /instanceof/],
    ["${fn:contains(list, 'a')}", /no function fn:contains/],
    ["${contains(list, 'a')}", /no function contains\(\)/],
    ["${a.empty}", /keyword/],
    ["${name == 'a\\x'}", /not an escape JUEL knows/],
  ];
  for (const [text, message] of invalid) {
    test(`rejects ${text}`, () => assert.match(checkJuelCondition(text) ?? "", message));
  }
  test("composite text with expressions is fine where text is allowed, but not mixed ${} and #{}", () => {
    assert.equal(checkJuel("R3/${interval}"), null);
    assert.match(checkJuel("${a}#{b}") ?? "", /cannot mix/);
    assert.equal(checkJuel("price: \\${not an expression}"), null);
  });
});

describe("ISO 8601 timer values", () => {
  test("durations", () => {
    for (const ok of ["PT15M", "P3D", "P1Y2M10DT2H30M", "PT0.5S", "P2W"]) assert.ok(isIsoDuration(ok), ok);
    for (const bad of ["PT15", "P", "PT", "15M", "P1H", "PT-5M"]) assert.ok(!isIsoDuration(bad), bad);
  });
  test("date-times", () => {
    for (const ok of [
      "2026-01-31T09:00:00Z",
      "2026-01-31T09:00",
      "2026-01-31",
      "2026-01-31T09:00:00.123+01:00",
    ]) {
      assert.ok(isIsoDateTime(ok), ok);
    }
    for (const bad of ["2026-13-01", "2026-01-31 09:00", "31.01.2026", "2026-01-31T25:00"])
      assert.ok(!isIsoDateTime(bad), bad);
  });
  test("cycles and cron", () => {
    for (const ok of [
      "R3/PT10M",
      "R/P1D",
      "R5/2026-01-01T00:00:00Z/P1D",
      "0 0 9 * * ?",
      "0 0/5 * * * ? 2026",
    ]) {
      assert.ok(isTimeCycle(ok), ok);
    }
    for (const bad of ["R3/PT10", "every day", "R3", "RX/PT1M", "0 0 9 * *"])
      assert.ok(!isTimeCycle(bad), bad);
  });
});

describe("FEEL entries", () => {
  test("valid unary tests and expressions pass", () => {
    for (const ok of ['"high"', "> 1000", "[1..5]", "]1..5[", 'not("a", "b")', "-", ""]) {
      assert.equal(checkFeel(ok, "unary-tests"), null, ok);
    }
    assert.equal(checkFeel("amount * 1.2", "expression"), null);
  });
  test("unbalanced delimiters are named", () => {
    assert.match(checkFeel('"high', "unary-tests")?.message ?? "", /not closed/);
    assert.match(checkFeel("(amount * 2", "expression")?.message ?? "", /never closed/);
  });
  test("any entry that does not parse is a problem, such as a comparison without its operand", () => {
    for (const broken of [">= 5 and <", "[1..5", "x +"]) assert.ok(checkFeel(broken, "unary-tests"), broken);
    assert.ok(checkFeel("if a then b", "expression"));
  });
});
