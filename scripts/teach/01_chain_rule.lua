-- 01_chain_rule.lua — the chain rule on scalars, by hand and by the engine.
-- A micrograd-style expression: L = (a*b + c) * f.
--   luagrad scripts/teach/01_chain_rule.lua [--step]
local lesson = require("luagrad.lesson").new(arg, "Lesson 1: the chain rule on scalars")

lesson:say([[
We build a small expression out of scalars and ask how L changes when each
input changes a little: the derivatives dL/da, dL/db, dL/dc, dL/df.

    e = a * b        d = e + c        L = d * f
]])
local a = torch.tensor(2.0, {requires_grad = true})
local b = torch.tensor(-3.0, {requires_grad = true})
local c = torch.tensor(10.0, {requires_grad = true})
local f = torch.tensor(-2.0, {requires_grad = true})
local e = a * b
local d = e + c
local L = d * f
lesson:show("a", a); lesson:show("b", b); lesson:show("c", c); lesson:show("f", f)
lesson:show("e = a * b", e); lesson:show("d = e + c", d); lesson:show("L = d * f", L)

lesson:heading("By hand, from the output back")
lesson:say([[
Start at L: dL/dL = 1.
L = d * f, so dL/dd = f and dL/df = d.
d = e + c: a sum passes its gradient through unchanged, dL/de = dL/dd * 1, dL/dc = dL/dd * 1.
e = a * b: dL/da = dL/de * b, dL/db = dL/de * a   (the chain rule: multiply the local
derivative by the gradient arriving from above).]])
local A, B, C, Fv = 2.0, -3.0, 10.0, -2.0
local dL_dd, dL_df = Fv, A * B + C
local dL_de, dL_dc = dL_dd, dL_dd
local dL_da, dL_db = dL_de * B, dL_de * A
print(string.format("  dL/dd = f = %g;  dL/df = d = %g", dL_dd, dL_df))
print(string.format("  dL/de = dL/dc = %g", dL_de))
print(string.format("  dL/da = dL/de * b = %g * %g = %g", dL_de, B, dL_da))
print(string.format("  dL/db = dL/de * a = %g * %g = %g", dL_de, A, dL_db))

lesson:heading("The engine, step by step")
lesson:say("torch.autograd.explain(L) runs L's backward pass and tells what each node did:")
print(torch.autograd.explain(L))

lesson:heading("Do they agree?")
lesson:compare("dL/da", dL_da, a.grad)
lesson:compare("dL/db", dL_db, b.grad)
lesson:compare("dL/dc", dL_dc, c.grad)
lesson:compare("dL/df", dL_df, f.grad)
lesson:finish()
