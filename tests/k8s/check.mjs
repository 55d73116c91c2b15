// Validates rendered Kubernetes manifests (the output of `kubectl kustomize`), for scripts/k8s-check.sh:
//   node tests/k8s/check.mjs RENDERED.yaml [--compose docker-compose.yml] [--production]
// 1. Schemas: every object against the Kubernetes JSON schemas (npm kubernetes-models), CloudNativePG's
//    objects against its CRD schemas (@kubernetes-models/cloudnative-pg), RabbitmqCluster against
//    schemas/rabbitmq.com_v1beta1_RabbitmqCluster.json. Those schemas allow unknown fields (the API server
//    prunes them silently), so a field no schema reads (a typo like "livenesProbe") is an error here.
// 2. Our policies, which schemas cannot say: every container has the three probes, CPU and memory requests
//    and limits, runs as non-root with a read-only root filesystem, no privilege escalation, all capabilities
//    dropped and the RuntimeDefault seccomp profile; our services stop more slowly than their 10 s drain;
//    every Deployment of ours has a PodDisruptionBudget (and in production an HPA); a default-deny policy.
// 3. With --compose: the images of ours are exactly those docker-compose.yml builds.
// Exit status 1 with one line per problem; 0 with a summary.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const args = process.argv.slice(2);
const file = args[0];
const composeFile = args.includes("--compose") ? args[args.indexOf("--compose") + 1] : null;
const production = args.includes("--production");
const here = new URL(".", import.meta.url);
const problems = [];
const problem = (doc, message) =>
  problems.push(`${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}: ${message}`);

// ------------------------------------------------------------------------------------------- schemas
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
function schemaModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  if (group === "postgresql.cnpg.io") {
    return `node_modules/@kubernetes-models/cloudnative-pg/_schemas/ComGithubCloudnativePgCloudnativePgApi${capital(version)}${kind}.js`;
  }
  if (group.includes(".") && !group.endsWith(".k8s.io")) return null;
  const name = capital(group.replace(/\.k8s\.io$/, "").replace(/\.(\w)/g, (_, c) => c.toUpperCase()));
  return `node_modules/kubernetes-models/_schemas/IoK8sApi${name}${capital(version)}${kind}.js`;
}
async function loadValidator(apiVersion, kind) {
  if (apiVersion === "rabbitmq.com/v1beta1" && kind === "RabbitmqCluster") {
    const schema = JSON.parse(readFileSync(new URL("schemas/rabbitmq.com_v1beta1_RabbitmqCluster.json", here)));
    return new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  const path = schemaModule(apiVersion, kind);
  if (!path) return null;
  try {
    return (await import(new URL(path, here))).validate;
  } catch (e) {
    if (e.code === "ERR_MODULE_NOT_FOUND") return null;
    throw e;
  }
}

// Runs `validate` on a proxy of `data` that records which keys the validator reads. A key of an object the
// validator looked into but never read is a field no schema defines. Objects the validator never looked into
// (free-form in the schema) and maps it enumerated (labels, resources) are not reported.
function validateStrict(validate, data) {
  const read = new WeakMap(); // object -> Set of keys read, or "all" when enumerated
  const proxies = new WeakMap();
  const mark = (target, key) => {
    if (read.get(target) === "all") return;
    if (!read.has(target)) read.set(target, new Set());
    read.get(target).add(key);
  };
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (!proxies.has(value)) {
      proxies.set(value, new Proxy(value, {
        get(target, key, receiver) {
          if (typeof key === "string") mark(target, key);
          return wrap(Reflect.get(target, key, receiver));
        },
        has(target, key) {
          if (typeof key === "string") mark(target, key);
          return Reflect.has(target, key);
        },
        ownKeys(target) {
          read.set(target, "all");
          return Reflect.ownKeys(target);
        },
      }));
    }
    return proxies.get(value);
  };
  const valid = validate(wrap(data));
  const errors = valid ? [] : (validate.errors ?? []).map((e) =>
    `${e.instancePath || "/"} ${e.message ?? `fails ${e.keyword} ${JSON.stringify(e.params)}`}`);
  const unknown = [];
  const walk = (value, path) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}/${i}`));
    const keys = read.get(value);
    for (const [key, child] of Object.entries(value)) {
      if (keys && keys !== "all" && !keys.has(key)) unknown.push(`${path}/${key}`);
      else walk(child, `${path}/${key}`);
    }
  };
  walk(data, "");
  return [...new Set(errors)].concat(unknown.map((p) => `${p}: unknown field`));
}

// ------------------------------------------------------------------------------------------ policies
function podSpecOf(doc) {
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(doc.kind)) return doc.spec?.template?.spec;
  if (doc.kind === "CronJob") return doc.spec?.jobTemplate?.spec?.template?.spec;
  return null;
}
const ours = (image) => typeof image === "string" && image.startsWith("comanda/");
const imageName = (image) => image.replace(/[:@].*$/, "");

function checkPod(doc, pod) {
  const psc = pod.securityContext ?? {};
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `container ${c.name}`;
    const init = (pod.initContainers ?? []).includes(c);
    if (!init) {
      for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
        if (!c[probe]) problem(doc, `${where} has no ${probe}`);
      }
    }
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (!c.resources?.[kind]?.[resource]) problem(doc, `${where} has no ${resource} ${kind}`);
      }
    }
    for (const kind of ["requests", "limits"]) {   // the API server takes standard names or domain/name only
      for (const name of Object.keys(c.resources?.[kind] ?? {})) {
        if (!/^(cpu|memory|ephemeral-storage|hugepages-.+)$/.test(name) && !name.includes("/")) {
          problem(doc, `${where}: ${kind} of an unknown resource "${name}"`);
        }
      }
    }
    const sc = c.securityContext ?? {};
    const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
    const runAsUser = sc.runAsUser ?? psc.runAsUser;
    if (runAsNonRoot !== true) problem(doc, `${where} may run as root (runAsNonRoot is not true)`);
    if (runAsUser === 0) problem(doc, `${where} runs as root (runAsUser 0)`);
    if (sc.privileged === true) problem(doc, `${where} is privileged`);
    if (sc.allowPrivilegeEscalation !== false) problem(doc, `${where} allows privilege escalation`);
    if (sc.readOnlyRootFilesystem !== true) problem(doc, `${where} has a writable root filesystem`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problem(doc, `${where} does not drop ALL capabilities`);
    if ((sc.capabilities?.add ?? []).length) problem(doc, `${where} adds capabilities`);
    if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== "RuntimeDefault") {
      problem(doc, `${where} has no RuntimeDefault seccomp profile`);
    }
  }
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problem(doc, "shares a host namespace");
  if ((pod.containers ?? []).some((c) => ours(c.image)) && !((pod.terminationGracePeriodSeconds ?? 30) > 15)) {
    problem(doc, "terminationGracePeriodSeconds must exceed the services' 10 s drain plus the preStop pause");
  }
}

const selects = (selector, labels) =>
  !!selector?.matchLabels && Object.entries(selector.matchLabels).every(([k, v]) => labels?.[k] === v);

// ------------------------------------------------------------------------------------------------ main
const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
  if (d.errors.length) problems.push(`YAML: ${d.errors[0].message}`);
  return d.toJS();
}).filter(Boolean);

const cache = new Map();
for (const doc of docs) {
  const key = `${doc.apiVersion}/${doc.kind}`;
  if (!cache.has(key)) cache.set(key, await loadValidator(String(doc.apiVersion), String(doc.kind)));
  const validate = cache.get(key);
  if (!validate) { problem(doc, `no schema for ${key}`); continue; }
  for (const error of validateStrict(validate, doc)) problem(doc, error);
  if (doc.kind === "RabbitmqCluster") {   // the Kubernetes types embedded in the CRD
    for (const [field, type] of [["resources", "CoreV1ResourceRequirements"], ["affinity", "CoreV1Affinity"]]) {
      if (doc.spec?.[field] === undefined) continue;
      const sub = (await import(new URL(`node_modules/kubernetes-models/_schemas/IoK8sApi${type}.js`, here))).validate;
      for (const error of validateStrict(sub, doc.spec[field])) problem(doc, `/spec/${field}${error}`);
    }
  }
  const pod = podSpecOf(doc);
  if (pod) checkPod(doc, pod);
}

const deployments = docs.filter((d) => d.kind === "Deployment" && d.spec?.template?.spec?.containers?.some((c) => ours(c.image)));
for (const d of deployments) {
  const labels = d.spec.template.metadata?.labels;
  if (!docs.some((p) => p.kind === "PodDisruptionBudget" && selects(p.spec?.selector, labels))) {
    problem(d, "no PodDisruptionBudget selects its pods");
  }
  if (production) {
    if (!docs.some((h) => h.kind === "HorizontalPodAutoscaler" && h.spec?.scaleTargetRef?.kind === "Deployment" &&
                          h.spec.scaleTargetRef.name === d.metadata.name)) {
      problem(d, "no HorizontalPodAutoscaler scales it");
    }
    if (!((d.spec.replicas ?? 1) >= 2)) problem(d, "production needs at least 2 replicas");
  }
}
const denyAll = docs.some((d) => d.kind === "NetworkPolicy" && Object.keys(d.spec?.podSelector ?? {}).length === 0 &&
  ["Ingress", "Egress"].every((t) => d.spec?.policyTypes?.includes(t)) && !d.spec.ingress && !d.spec.egress);
if (!denyAll) problems.push("NetworkPolicy: no default-deny policy (empty podSelector, Ingress and Egress, no rules)");

if (composeFile) {
  const compose = parseAllDocuments(readFileSync(composeFile, "utf8"))[0].toJS();
  const built = new Set(Object.values(compose.services).filter((s) => s.build).map((s) => imageName(s.image)));
  const used = new Set(docs.flatMap((d) => podSpecOf(d)?.containers ?? []).map((c) => c.image).filter(ours).map(imageName));
  for (const image of used) if (!built.has(image)) problems.push(`image ${image}: not built by ${composeFile}`);
  for (const image of built) if (!used.has(image)) problems.push(`image ${image}: built by ${composeFile} but not deployed`);
}

if (problems.length) {
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log(`  ${docs.length} objects valid (${[...cache.keys()].join(", ")})`);
