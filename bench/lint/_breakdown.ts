import { lint } from "#core/lint/index.js";
const root = "/work/research/corpus/deploy-copies";
const report = await lint({ paths: [root], root, indexPaths: [], registry: null, configFile: null });
const v = JSON.parse((await import("node:fs")).readFileSync("/work/research/corpus/verdicts.json","utf8"));
const accepted = new Set(v.filter((x:any)=>x.accepted).map((x:any)=>x.file));
const count = new Map<string, Set<string>>();
for (const f of report.findings) {
  const key = `${f.consequence} ${f.severity} ${f.rule}`;
  if (!accepted.has(f.file)) continue;
  const s = count.get(key) ?? new Set(); s.add(f.file); count.set(key, s);
}
for (const [k, s] of [...count].sort((a,b)=>b[1].size-a[1].size)) console.log(s.size, k);
const samples = (rule: string) => report.findings.filter(f=>f.rule===rule && accepted.has(f.file)).slice(0,6).map(f=>`${f.file}:${f.line} ${f.message}`);
for (const r of (process.argv[2] ?? "").split(",").filter(Boolean)) console.log(r, samples(r));
