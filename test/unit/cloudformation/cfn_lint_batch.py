"""Lints many (template, parameter file, region) jobs in one cfn-lint process.

Starting cfn-lint once per job costs seconds of rule loading each; the tests lint every template
with every environment's parameters. Reads a JSON list of jobs on stdin, prints a JSON list of
findings: {"template", "line", "rule", "level", "message"}.
"""
import json
import sys

from cfnlint.api import ManualArgs, lint_by_config

findings = []
for job in json.load(sys.stdin):
    matches = lint_by_config(
        ManualArgs(
            templates=[job["template"]],
            parameter_files=[job["parameters"]],
            regions=[job["region"]],
            # Informational rules too (e.g. explicit deletion policies on stateful resources).
            include_checks=["I"],
        )
    )
    for match in matches:
        findings.append(
            {
                "template": job["template"],
                "parameters": job["parameters"],
                "line": match.linenumber,
                "rule": match.rule.id,
                "level": match.rule.severity,
                "message": match.message,
            }
        )
json.dump(findings, sys.stdout)
