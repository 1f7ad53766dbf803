// The SageMaker runtime client of the official AWS SDK for JavaScript v3 against OpenMME.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { execFileSync } from "node:child_process";
import { startServe } from "./openmme.js";

function assertClose(actual, expected) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-5 * Math.abs(expected[i]), `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

// The runtime client as a SageMaker user builds it, pointed at serve; no retries, so a test sees the first answer.
function runtimeClient(endpoint) {
  return new SageMakerRuntimeClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

// The same suite against one instance and against two instances behind the router.
for (const instances of [1, 2]) {
  describe(`serve --instances ${instances}`, () => {
    let serve;
    let client;

    before(async () => {
      serve = await startServe(instances);
      client = runtimeClient(serve.url);
    });

    after(() => serve?.stop());

    test("InvokeEndpoint with a target model returns the model's outputs and SageMaker metadata", async () => {
      const response = await client.send(new InvokeEndpointCommand({
        EndpointName: "local",
        TargetModel: "fp32-000.onnx",
        ContentType: "application/json",
        Accept: "application/json",
        Body: serve.read("fp32-000.request.json"),
      }));
      const body = JSON.parse(new TextDecoder().decode(response.Body));
      const expected = JSON.parse(serve.read("fp32-000.response.json"));
      assertClose(body.outputs[0].data, expected.outputs[0].data);
      assert.equal(response.ContentType, "application/json");
      assert.equal(response.InvokedProductionVariant, "AllTraffic");
    });

    test("multi-input, multi-output models answer every output", async () => {
      const response = await client.send(new InvokeEndpointCommand({
        EndpointName: "local", TargetModel: "bool-003.onnx", ContentType: "application/json",
        Body: serve.read("bool-003.request.json"),
      }));
      const body = JSON.parse(new TextDecoder().decode(response.Body));
      const expected = JSON.parse(serve.read("bool-003.response.json"));
      assert.deepEqual(body.outputs.map((o) => o.name), expected.outputs.map((o) => o.name));
      assertClose(body.outputs[0].data, expected.outputs[0].data);
      assert.deepEqual(body.outputs[1].data, expected.outputs[1].data);
    });

    async function rejection(command) {
      try {
        await client.send(command);
      } catch (error) {
        return error;
      }
      assert.fail("the call succeeded");
    }

    test("an unknown model is a ValidationError naming its key, not a server path", async () => {
      const error = await rejection(new InvokeEndpointCommand({
        EndpointName: "local", TargetModel: "absent.onnx", ContentType: "application/json", Body: "{}",
      }));
      assert.equal(error.name, "ValidationError");
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.equal(error.message, "Failed to download model data (key: absent.onnx): no such artifact. Upload the model there, or check the target model name.");
    });

    test("an unknown endpoint is a ValidationError", async () => {
      const error = await rejection(new InvokeEndpointCommand({
        EndpointName: "elsewhere", TargetModel: "fp32-000.onnx", ContentType: "application/json", Body: "{}",
      }));
      assert.equal(error.name, "ValidationError");
      assert.match(error.message, /Endpoint elsewhere of account \d+ not found\./);
    });

    test("input that does not fit the signature is a ModelError with the original status", async () => {
      const error = await rejection(new InvokeEndpointCommand({
        EndpointName: "local", TargetModel: "fp32-000.onnx", ContentType: "application/json",
        Body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }] }),
      }));
      assert.equal(error.name, "ModelError");
      assert.equal(error.$metadata.httpStatusCode, 424);
      assert.equal(error.OriginalStatusCode, 400);
      assert.match(error.OriginalMessage, /x: FP32\[-1,8\]/);
    });

    test("a body that is not valid JSON is a ModelError from the model, as a container's 400", async () => {
      const error = await rejection(new InvokeEndpointCommand({
        EndpointName: "local", TargetModel: "fp32-000.onnx", ContentType: "application/json",
        Body: '{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]} trailing',
      }));
      assert.equal(error.name, "ModelError");
      assert.equal(error.$metadata.httpStatusCode, 424);
      assert.equal(error.OriginalStatusCode, 400);
      assert.match(error.OriginalMessage, /not valid JSON/);
    });

    test("a missing target model header is a ValidationError", async () => {
      const error = await rejection(new InvokeEndpointCommand({
        EndpointName: "local", ContentType: "application/json", Body: "{}",
      }));
      assert.equal(error.name, "ValidationError");
      assert.match(error.message, /X-Amzn-SageMaker-Target-Model/);
    });
  });
}

// A cold load that outlasts the invocation timeout: the SDK's own ModelNotReadyException, then the model answers.
describe("serve --invocation-timeout 0.01", () => {
  let serve;
  let client;

  before(async () => {
    serve = await startServe(1, ["--invocation-timeout", "0.01"]);
    // A 40 MB model takes about 100 ms to load here; the invocation waits 10 ms for it.
    execFileSync("dotnet", [process.env.OPENMME_DLL, "samples", "--out", serve.models, "--count", "1", "--size", "40MB", "--name-prefix", "big-"],
      { stdio: "ignore" });
    client = runtimeClient(serve.url);
  });

  after(() => serve?.stop());

  test("a model still loading is a ModelNotReadyException, and answers once loaded", async () => {
    const command = () => new InvokeEndpointCommand({
      EndpointName: "local", TargetModel: "big-fp32-000.onnx", ContentType: "application/json",
      Body: serve.read("big-fp32-000.request.json"),
    });
    const error = await client.send(command()).then(() => null, (e) => e);
    assert.ok(error, "the first invocation of a cold 40 MB model answered within 10 ms");
    assert.equal(error.name, "ModelNotReadyException");
    assert.equal(error.$metadata.httpStatusCode, 429);

    const deadline = Date.now() + 60_000;
    let response;
    while (!response) {
      response = await client.send(command()).catch((e) => {
        assert.equal(e.name, "ModelNotReadyException");
        assert.ok(Date.now() < deadline, "the model never finished loading");
        return new Promise((resolve) => setTimeout(() => resolve(undefined), 200));
      });
    }
    const body = JSON.parse(new TextDecoder().decode(response.Body));
    assertClose(body.outputs[0].data, JSON.parse(serve.read("big-fp32-000.response.json")).outputs[0].data);
  });
});
