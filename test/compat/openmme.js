// Starts `openmme serve --demo` (with --instances N, a router in front of N host processes) on a
// free loopback port for the compatibility tests and stops it (by its pid) when they end.
// `extraArgs` go on serve's command line (e.g. --access-keys FILE).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function startServe(instances = 1, extraArgs = []) {
  const dll = process.env.OPENMME_DLL;
  if (!dll) throw new Error("OPENMME_DLL must name the built openmme.dll (test.sh sets it).");
  const folder = mkdtempSync(join(tmpdir(), "openmme-compat-"));
  const args = [dll, "serve", "--demo", "--port", "0", "--drain-delay", "0"];
  if (instances > 1) args.push("--instances", String(instances));
  args.push(...extraArgs);
  const child = spawn("dotnet", args, { cwd: folder, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("openmme did not start within 60 s: " + output)), 60_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      // The endpoint's own line, not an instance's ("[instance 0] OpenMME serving ...").
      const match = /^OpenMME (?:serving .*|router) at (http:\/\/\S+) /m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ""));
      }
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => reject(new Error(`openmme exited with ${code}: ${output}`)));
  });
  return {
    url,
    models: join(folder, "models"),
    read: (name) => readFileSync(join(folder, "models", name)),
    stop() {
      // SIGTERM: serve stops its instances (each also stops by itself when serve is gone).
      child.kill("SIGTERM");
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
