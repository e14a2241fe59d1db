// Where offline CEL failures are reported: the apiserver's CEL validator names list items by index and map
// entries by key in brackets (field.Path.Index / field.Path.Key), properties by a dot.
import { expect } from "chai";
import type { OpenApiSchema } from "../../../crds/schema/openapi.js";
import { celErrors } from "../../../crds/validate/cel-validation.js";

const positive: OpenApiSchema = {
  type: "integer",
  maximum: 10,
  "x-kubernetes-validations": [{ rule: "self > 0", message: "must be positive" }],
};

const schema: OpenApiSchema = {
  type: "object",
  properties: {
    byName: { type: "object", additionalProperties: positive, maxProperties: 4 },
    list: { type: "array", items: positive, maxItems: 4 },
    one: positive,
  },
};

describe("crds: offline CEL failures name the field as the apiserver does", () => {
  it("names a map entry by its key in brackets, a list item by index, a property by a dot", () => {
    const errors = celErrors({ byName: { "a.b": 0, ok: 1 }, list: [1, -1], one: 0 }, schema);
    expect(errors.map((e) => e.field)).to.deep.equal(["byName[a.b]", "list[1]", "one"]);
    expect(errors[0]!.message).to.equal('Invalid value: "integer": must be positive');
  });
});
