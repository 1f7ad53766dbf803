// Signed requests: `openmme serve --access-keys FILE` verifies AWS Signature Version 4, and the official
// AWS SDK for JavaScript v3 signs as it does for SageMaker. The right key is served; a wrong secret or
// an unknown key gets the SDK's own exception, named by the server's x-amzn-ErrorType.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { startServe } from "./openmme.js";

const accessKeyId = "AKIAOPENMMECOMPAT001";
const secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYCOMPATKEY";

for (const instances of [1, 2]) {
  describe(`serve --instances ${instances} --access-keys FILE`, () => {
    let serve;
    let keys;

    before(async () => {
      keys = mkdtempSync(join(tmpdir(), "openmme-keys-"));
      writeFileSync(join(keys, "access-keys"), `# access key id, secret\n${accessKeyId} ${secretAccessKey}\n`);
      serve = await startServe(instances, ["--access-keys", join(keys, "access-keys")]);
    });

    after(() => {
      serve?.stop();
      rmSync(keys, { recursive: true, force: true });
    });

    function client(credentials) {
      return new SageMakerRuntimeClient({ endpoint: serve.url, region: "us-east-1", credentials, maxAttempts: 1 });
    }

    function invoke() {
      return new InvokeEndpointCommand({
        EndpointName: "local",
        TargetModel: "fp32-000.onnx",
        ContentType: "application/json",
        Accept: "application/json",
        Body: serve.read("fp32-000.request.json"),
      });
    }

    async function rejection(sdk) {
      try {
        await sdk.send(invoke());
      } catch (error) {
        return error;
      }
      assert.fail("the call succeeded");
    }

    test("InvokeEndpoint signed with a configured key is served", async () => {
      const response = await client({ accessKeyId, secretAccessKey }).send(invoke());
      const body = JSON.parse(new TextDecoder().decode(response.Body));
      const expected = JSON.parse(serve.read("fp32-000.response.json"));
      assert.equal(body.outputs[0].data.length, expected.outputs[0].data.length);
      for (let i = 0; i < expected.outputs[0].data.length; i++) {
        assert.ok(Math.abs(body.outputs[0].data[i] - expected.outputs[0].data[i]) <= 1e-5 * Math.abs(expected.outputs[0].data[i]));
      }
      assert.equal(response.InvokedProductionVariant, "AllTraffic");
    });

    test("a wrong secret is an InvalidSignatureException (403)", async () => {
      const error = await rejection(client({ accessKeyId, secretAccessKey: "not-the-secret" }));
      assert.equal(error.name, "InvalidSignatureException");
      assert.equal(error.$metadata.httpStatusCode, 403);
      assert.match(error.message, /^The request signature we calculated does not match the signature you provided\./);
    });

    test("an unknown access key is an UnrecognizedClientException (403)", async () => {
      const error = await rejection(client({ accessKeyId: "AKIAUNKNOWNCOMPAT001", secretAccessKey }));
      assert.equal(error.name, "UnrecognizedClientException");
      assert.equal(error.$metadata.httpStatusCode, 403);
      assert.equal(error.message, "The security token included in the request is invalid.");
    });
  });
}
