// The SageMaker control plane of `openmme serve` driven by the official AWS SDK for JavaScript v3
// (@aws-sdk/client-sagemaker, its own waiter), with invocations through @aws-sdk/client-sagemaker-runtime.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DeleteEndpointCommand, DescribeEndpointCommand,
  ListEndpointsCommand, SageMakerClient, UpdateEndpointCommand, waitUntilEndpointDeleted, waitUntilEndpointInService,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { startServe } from "./openmme.js";

describe("control plane with @aws-sdk/client-sagemaker", () => {
  let serve;
  let sm;
  let runtime;
  const options = () => ({ endpoint: serve.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
  const wait = () => ({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 2 });

  before(async () => {
    serve = await startServe(1);
    sm = new SageMakerClient(options());
    runtime = new SageMakerRuntimeClient(options());
  });

  after(() => serve?.stop());

  async function invokeThree(endpoint, variant) {
    for (const name of ["fp32-000", "fp64-001", "int64-002"]) {
      const response = await runtime.send(new InvokeEndpointCommand({
        EndpointName: endpoint, TargetModel: `${name}.onnx`, ContentType: "application/json", Body: serve.read(`${name}.request.json`),
      }));
      assert.equal(response.InvokedProductionVariant, variant);
      const body = JSON.parse(new TextDecoder().decode(response.Body));
      const expected = JSON.parse(serve.read(`${name}.response.json`));
      assert.deepEqual(body.outputs.map((o) => o.name), expected.outputs.map((o) => o.name));
      for (let i = 0; i < expected.outputs[0].data.length; i++) {
        const [got, want] = [body.outputs[0].data[i], expected.outputs[0].data[i]];
        assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${name}[${i}] ${got} vs ${want}`);
      }
    }
  }

  test("create, wait InService, invoke three models, update to more instances, delete", async () => {
    const name = "js-" + Math.random().toString(16).slice(2, 10);
    const created = await sm.send(new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: "arn:aws:iam::000000000000:role/SageMakerRole",
      PrimaryContainer: { Image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/mme:latest", Mode: "MultiModel", ModelDataUrl: pathToFileURL(serve.models).href + "/" },
    }));
    assert.equal(created.ModelArn, `arn:aws:sagemaker:us-east-1:000000000000:model/${name}`);
    await sm.send(new CreateEndpointConfigCommand({
      EndpointConfigName: `${name}-1`,
      ProductionVariants: [{ VariantName: "AllTraffic", ModelName: name, InstanceType: "ml.m5.large", InitialInstanceCount: 1 }],
    }));
    await sm.send(new CreateEndpointConfigCommand({
      EndpointConfigName: `${name}-2`,
      ProductionVariants: [{ VariantName: "Bigger", ModelName: name, InstanceType: "ml.c5.xlarge", InitialInstanceCount: 2 }],
    }));
    await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-1` }));
    await waitUntilEndpointInService(wait(), { EndpointName: name });
    const described = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    assert.equal(described.EndpointStatus, "InService");
    assert.ok(described.CreationTime instanceof Date);
    await invokeThree(name, "AllTraffic");
    const listed = await sm.send(new ListEndpointsCommand({ NameContains: name }));
    assert.deepEqual(listed.Endpoints.map((e) => e.EndpointName), [name]);

    await sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-2` }));
    await waitUntilEndpointInService(wait(), { EndpointName: name });
    const updated = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    assert.equal(updated.EndpointConfigName, `${name}-2`);
    assert.equal(updated.ProductionVariants[0].CurrentInstanceCount, 2);
    await invokeThree(name, "Bigger");

    await sm.send(new DeleteEndpointCommand({ EndpointName: name }));
    await waitUntilEndpointDeleted(wait(), { EndpointName: name });
  });

  test("refusals are the SDK's typed errors with SageMaker's messages", async () => {
    const missing = await sm.send(new DescribeEndpointCommand({ EndpointName: "nowhere" })).catch((e) => e);
    assert.equal(missing.name, "ValidationException");
    assert.equal(missing.message, 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/nowhere".');
    assert.equal(missing.$metadata.httpStatusCode, 400);

    const bad = await sm.send(new CreateEndpointCommand({ EndpointName: "bad_name", EndpointConfigName: "c" })).catch((e) => e);
    assert.equal(bad.name, "ValidationException");
    assert.match(bad.message, /^1 validation error detected: Value 'bad_name' at 'endpointName' failed to satisfy constraint/);

    const limit = await sm.send(new CreateModelCommand({
      ModelName: "limit-model", ExecutionRoleArn: "arn:aws:iam::000000000000:role/R",
      PrimaryContainer: { Mode: "MultiModel", ModelDataUrl: pathToFileURL(serve.models).href + "/" },
    })).then(() => sm.send(new CreateEndpointConfigCommand({
      EndpointConfigName: "limit-config",
      ProductionVariants: [{ VariantName: "v", ModelName: "limit-model", InstanceType: "ml.m5.large", InitialInstanceCount: 9 }],
    }))).then(() => sm.send(new CreateEndpointCommand({ EndpointName: "limit", EndpointConfigName: "limit-config" }))).catch((e) => e);
    assert.equal(limit.name, "ResourceLimitExceeded");
  });
});
