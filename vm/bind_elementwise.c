/*
 * bind_elementwise.c — the Lua face of the elementwise ops: torch.add(a, b),
 * a:add(b), a:add_(b), the operators + - * / % ^ and unary -, the unary
 * functions, where/clamp/lerp/masked_fill/addcmul/addcdiv, and fill_, zero_,
 * copy_.
 *
 * Each family has one generic caller (binary_call, unary_call, ...) and the
 * per-op C functions are one-line wrappers stamped from a list, which also
 * carries the help text, so an op, its method, its in-place method and its
 * documentation are one line each.
 *
 * Operands are borrowed, never retained: a tensor argument stays alive on the
 * Lua stack for the call, and a number becomes a 0-dim tensor on the C stack
 * (StackScalar) whose dtype follows the other operand, as to_tensor_arg's do:
 * x + 1 keeps int64, x + 0.5 of an int64 tensor is float32 (PyTorch's rule
 * for Python scalars).  This is safe because the elementwise core never keeps
 * a reference to an input, and it makes `a + b` and `a * 2` on small tensors
 * cost one allocation (the result); a Lua error can then leak nothing.
 */
#include <math.h>
#include <string.h>

#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

/* ---- operands ------------------------------------------------------------- */

/* A 0-dim tensor over 8 bytes of the caller's stack frame. */
typedef struct {
    Tensor t;
    Storage s;
    union {
        double f64;
        int64_t i64;
    } value;
} StackScalar;

/* Argument i, a number or boolean (else a Lua error; a closed tensor gets
 * check_tensor's message), as a StackScalar with to_tensor_arg's dtype. */
static Tensor *stack_scalar(lua_State *L, int i, const Tensor *like, StackScalar *ss)
{
    if (is_tensor(L, i))
        check_tensor(L, i);
    double v;
    DType dt = scalar_arg(L, i, like, &v);
    ss->s = (Storage){.data = &ss->value, .nbytes = sizeof ss->value, .refcount = 1};
    ss->t = (Tensor){.storage = &ss->s, .ndim = 0, .dtype = dt, .refcount = 1};
    dtype_store(dt, &ss->value, v);
    return &ss->t;
}

/* Argument i as a tensor: itself, or a number converted by stack_scalar. */
static Tensor *operand(lua_State *L, int i, const Tensor *like, StackScalar *ss)
{
    Tensor *t = test_tensor(L, i);
    return t ? t : stack_scalar(L, i, like, ss);
}

/* Arguments i and j; a number takes its dtype from the other operand (from
 * the first when both are numbers). */
static void operand_pair(lua_State *L, int i, int j, StackScalar *si, StackScalar *sj,
                         Tensor **a, Tensor **b)
{
    *a = test_tensor(L, i);
    *b = test_tensor(L, j);
    if (!*a)
        *a = stack_scalar(L, i, *b, si);
    if (!*b)
        *b = stack_scalar(L, j, *a, sj);
}

/* The result of an in-place op: x (argument 1), or the core's error. */
static int inplace_result(lua_State *L, int status)
{
    if (status < 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

/* ---- binary ops ------------------------------------------------------------- */

/* PyTorch refuses a negative integer exponent given as a number for integer
 * tensors (a tensor of exponents gives 0 instead). */
static void check_int_pow(lua_State *L, BinaryOp op, const Tensor *a)
{
    if (op == BINARY_POW && lua_isinteger(L, 2) && lua_tointeger(L, 2) < 0 &&
        !dtype_is_floating(a->dtype))
        luaL_error(L, "pow: integers to negative integer powers are not allowed");
}

static int binary_call(lua_State *L, BinaryOp op)
{
    double alpha = opt_number(L, 3, "alpha", 1);
    StackScalar sa, sb;
    Tensor *a, *b;
    operand_pair(L, 1, 2, &sa, &sb, &a, &b);
    check_int_pow(L, op, a);
    push_tensor(L, ag_add_scaled(op, a, b, alpha));
    return 1;
}

static int binary_call_(lua_State *L, BinaryOp op)
{
    Tensor *x = check_tensor(L, 1);
    double alpha = opt_number(L, 3, "alpha", 1);
    StackScalar sb;
    Tensor *b = operand(L, 2, x, &sb);
    check_int_pow(L, op, x);
    return inplace_result(L, ag_add_scaled_(op, x, b, alpha));
}

/* name, op, the arguments after a, and the help text, then the example's a
 * (a table for torch.tensor) and the arguments after it; the entries of the
 * op and of its in-place method build their examples from these two. */
#define BINARY_OPS(X)                                                                    \
    X(add, BINARY_ADD, "b, {alpha=1}",                                                   \
      "a + alpha * b elementwise, broadcasting; also the + operator. Numbers may stand for either operand.", \
      "{1, 2, 3}", "torch.tensor({10, 20, 30}), {alpha = 2}")                             \
    X(sub, BINARY_SUB, "b, {alpha=1}", "a - alpha * b elementwise, broadcasting; also the - operator.", \
      "{10, 20, 30}", "torch.tensor({1, 2, 3})")                                          \
    X(mul, BINARY_MUL, "b", "a * b elementwise, broadcasting; also the * operator.",     \
      "{{1, 2, 3}, {4, 5, 6}}", "torch.tensor({1, 10, 100})")                             \
    X(div, BINARY_DIV, "b",                                                              \
      "True division a / b, broadcasting; integer operands give the default float dtype. Also the / operator.", \
      "{1.0, 2, 3}", "2")                                                                 \
    X(pow, BINARY_POW, "exponent",                                                       \
      "a raised to exponent (a tensor or number); integer powers of integers stay integers. Also the ^ operator.", \
      "{1, 2, 3}", "2")                                                                   \
    X(fmod, BINARY_FMOD, "b", "C-style remainder of a / b: takes the sign of a.",        \
      "{-7, -1, 7}", "3")                                                                 \
    X(remainder, BINARY_REMAINDER, "b",                                                  \
      "Python-style remainder of a / b: takes the sign of b. Also the % operator.",      \
      "{-7, -1, 7}", "3")                                                                 \
    X(maximum, BINARY_MAXIMUM, "b", "The larger of a and b elementwise; NaN if either is NaN.", \
      "{1, 5, 3}", "torch.tensor({4, 2, 6})")                                             \
    X(minimum, BINARY_MINIMUM, "b", "The smaller of a and b elementwise; NaN if either is NaN.", \
      "{1, 5, 3}", "torch.tensor({4, 2, 6})")                                             \
    X(atan2, BINARY_ATAN2, "b", "The angle of the point (b, a) in radians, elementwise.", \
      "{1.0, 1, -1}", "torch.tensor({1.0, -1, -1})")                                      \
    X(eq, BINARY_EQ, "b", "a == b elementwise, as a bool tensor (Lua's == compares identity).", \
      "{1, 2, 3}", "torch.tensor({1, 0, 3})")                                             \
    X(ne, BINARY_NE, "b", "a ~= b elementwise, as a bool tensor.",                       \
      "{1, 2, 3}", "torch.tensor({1, 0, 3})")                                             \
    X(lt, BINARY_LT, "b", "a < b elementwise, as a bool tensor.", "{1, 2, 3}", "2")      \
    X(le, BINARY_LE, "b", "a <= b elementwise, as a bool tensor.", "{1, 2, 3}", "2")     \
    X(gt, BINARY_GT, "b", "a > b elementwise, as a bool tensor.", "{1, 2, 3}", "2")      \
    X(ge, BINARY_GE, "b", "a >= b elementwise, as a bool tensor.", "{1, 2, 3}", "2")     \
    X(logical_and, BINARY_LOGICAL_AND, "b", "True where both a and b are nonzero (bool result).", \
      "{true, true, false}", "torch.tensor({true, false, false})")                        \
    X(logical_or, BINARY_LOGICAL_OR, "b", "True where a or b is nonzero (bool result).", \
      "{true, true, false}", "torch.tensor({true, false, false})")                        \
    X(logical_xor, BINARY_LOGICAL_XOR, "b", "True where exactly one of a and b is nonzero (bool result).", \
      "{true, true, false}", "torch.tensor({true, false, false})")

/* Generated wrappers are ew_<name>: l_floor would clash with a macro of luaconf.h. */
#define BINARY_WRAPPERS(name, op, args, doc, ex_a, ex_b)                                 \
    static int ew_##name(lua_State *L) { return binary_call(L, op); }                     \
    static int ew_##name##_(lua_State *L) { return binary_call_(L, op); }
BINARY_OPS(BINARY_WRAPPERS)

/* ---- unary ops ---------------------------------------------------------------- */

static int unary_call(lua_State *L, UnaryOp op)
{
    push_tensor(L, ag_unary(op, check_tensor(L, 1)));
    return 1;
}

static int unary_call_(lua_State *L, UnaryOp op)
{
    return inplace_result(L, ag_unary_(op, check_tensor(L, 1)));
}

/* name, op, the help text, and the table the examples make x from. */
#define UNARY_OPS(X)                                                                     \
    X(neg, UNARY_NEG, "-x elementwise (also the unary - operator); not for bool tensors.", \
      "{1, -2, 3}")                                                                      \
    X(abs, UNARY_ABS, "Absolute value, elementwise.", "{-1.5, 0, 2}")                    \
    X(sign, UNARY_SIGN, "-1, 0 or 1 by the sign of each element (0 for NaN).",           \
      "{-2.5, 0, 3}")                                                                    \
    X(exp, UNARY_EXP, "e^x elementwise; integer tensors give the default float dtype.",  \
      "{0.0, 1, 2}")                                                                     \
    X(log, UNARY_LOG, "Natural logarithm, elementwise; NaN below 0, -inf at 0.",         \
      "{1, math.exp(1), 100}")                                                           \
    X(log1p, UNARY_LOG1P, "log(1 + x), accurate for small x.", "{0, 1e-8, 1}")           \
    X(expm1, UNARY_EXPM1, "exp(x) - 1, accurate for small x.", "{0, 1e-8, 1}")           \
    X(sqrt, UNARY_SQRT, "Square root, elementwise; NaN for negative elements.",          \
      "{1.0, 4, 9}")                                                                     \
    X(rsqrt, UNARY_RSQRT, "1 / sqrt(x), elementwise.", "{1.0, 4, 16}")                   \
    X(sin, UNARY_SIN, "Sine (radians), elementwise.", "{0, math.pi / 6, math.pi / 2}")   \
    X(cos, UNARY_COS, "Cosine (radians), elementwise.", "{0, math.pi / 3, math.pi}")     \
    X(tan, UNARY_TAN, "Tangent (radians), elementwise.",                                 \
      "{0, math.pi / 4, -math.pi / 4}")                                                  \
    X(tanh, UNARY_TANH, "Hyperbolic tangent, elementwise.", "{-2.0, 0, 2}")              \
    X(erf, UNARY_ERF, "The error function 2/sqrt(pi) * integral from 0 to x of exp(-t^2).", \
      "{-1.0, 0, 1}")                                                                    \
    X(sigmoid, UNARY_SIGMOID, "The logistic function 1 / (1 + exp(-x)), elementwise.",   \
      "{-2.0, 0, 2}")                                                                    \
    X(relu, UNARY_RELU, "max(x, 0) elementwise, keeping integer dtypes; NaN stays NaN.", \
      "{-1.5, 0, 2}")                                                                    \
    X(silu, UNARY_SILU, "x * sigmoid(x) (also called swish), for floating tensors.",     \
      "{-1.0, 0, 2}")                                                                    \
    X(floor, UNARY_FLOOR, "Rounds down to an integral value (integer tensors are copied).", \
      "{-1.5, 0.5, 2.7}")                                                                \
    X(ceil, UNARY_CEIL, "Rounds up to an integral value.", "{-1.5, 0.5, 2.7}")           \
    X(round, UNARY_ROUND, "Rounds to the nearest integral value, halves to even (2.5 -> 2), as PyTorch.", \
      "{0.5, 1.5, 2.5, -2.7}")                                                           \
    X(trunc, UNARY_TRUNC, "Rounds toward zero.", "{-1.7, 0.5, 1.7}")                     \
    X(reciprocal, UNARY_RECIPROCAL, "1 / x elementwise; integer tensors give floats.",   \
      "{1.0, 2, 4}")                                                                     \
    X(isnan, UNARY_ISNAN, "True where x is NaN (bool result).", "{1, 0 / 0, math.huge}") \
    X(isinf, UNARY_ISINF, "True where x is +inf or -inf (bool result).",                 \
      "{1, -math.huge, math.huge}")                                                      \
    X(isfinite, UNARY_ISFINITE, "True where x is neither infinite nor NaN (bool result).", \
      "{1, 0 / 0, math.huge}")                                                           \
    X(logical_not, UNARY_LOGICAL_NOT, "True where x is zero (bool result): inverts a mask.", \
      "{0, 1, 2}")

#define UNARY_WRAPPERS(name, op, doc, ex_x)                                              \
    static int ew_##name(lua_State *L) { return unary_call(L, op); }                      \
    static int ew_##name##_(lua_State *L) { return unary_call_(L, op); }
UNARY_OPS(UNARY_WRAPPERS)

/* {approximate = "none" | "tanh"}, PyTorch's spelling. */
static UnaryOp gelu_op(lua_State *L)
{
    check_tensor(L, 1);
    if (!has_options(L, 2))
        return UNARY_GELU;
    lua_getfield(L, 2, "approximate");
    const char *mode = lua_isnil(L, -1) ? "none" : lua_tostring(L, -1);
    if (mode && strcmp(mode, "tanh") == 0)
        return UNARY_GELU_TANH;
    if (mode && strcmp(mode, "none") == 0)
        return UNARY_GELU;
    return luaL_error(L, "gelu: approximate must be \"none\" or \"tanh\", got %s",
                      mode ? mode : luaL_typename(L, -1));
}

static int l_gelu(lua_State *L)
{
    return unary_call(L, gelu_op(L));
}

static int l_gelu_(lua_State *L)
{
    return unary_call_(L, gelu_op(L));
}

/* ---- where, clamp, masked_fill, lerp, addcmul, addcdiv --------------------------- */

static int l_where(lua_State *L)
{
    Tensor *cond = check_tensor(L, 1), *a, *b;
    StackScalar sa, sb;
    operand_pair(L, 2, 3, &sa, &sb, &a, &b);
    push_tensor(L, ag_where(cond, a, b));
    return 1;
}

/* x:where(cond, y) is PyTorch's method form: x where cond is true, else y. */
static int l_where_method(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *cond = check_tensor(L, 2);
    StackScalar sy;
    push_tensor(L, ag_where(cond, x, operand(L, 3, x, &sy)));
    return 1;
}

/* clamp(x, min, max) with nil for a missing bound, or clamp(x, {min=, max=}). */
static void clamp_bounds(lua_State *L, const Tensor *x, StackScalar *s, Tensor **lo, Tensor **hi)
{
    if (has_options(L, 2)) {
        lua_settop(L, 2);
        lua_getfield(L, 2, "min");
        lua_getfield(L, 2, "max");
        lua_remove(L, 2);       /* x, min, max */
    }
    *lo = lua_isnoneornil(L, 2) ? NULL : operand(L, 2, x, &s[0]);
    *hi = lua_isnoneornil(L, 3) ? NULL : operand(L, 3, x, &s[1]);
}

static int l_clamp(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *lo, *hi;
    StackScalar s[2];
    clamp_bounds(L, x, s, &lo, &hi);
    push_tensor(L, ag_clamp(x, lo, hi));
    return 1;
}

static int l_clamp_(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *lo, *hi;
    StackScalar s[2];
    clamp_bounds(L, x, s, &lo, &hi);
    return inplace_result(L, ag_clamp_(x, lo, hi));
}

static int l_masked_fill(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *mask = check_tensor(L, 2);
    StackScalar sv;
    push_tensor(L, ag_masked_fill(x, mask, operand(L, 3, x, &sv)));
    return 1;
}

static int l_masked_fill_(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *mask = check_tensor(L, 2);
    StackScalar sv;
    return inplace_result(L, ag_masked_fill_(x, mask, operand(L, 3, x, &sv)));
}

static int l_lerp(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *end = check_tensor(L, 2);
    StackScalar sw;
    push_tensor(L, ag_lerp(x, end, operand(L, 3, x, &sw)));
    return 1;
}

static int l_lerp_(lua_State *L)
{
    Tensor *x = check_tensor(L, 1), *end = check_tensor(L, 2);
    StackScalar sw;
    return inplace_result(L, ag_lerp_(x, end, operand(L, 3, x, &sw)));
}

/* addcmul/addcdiv: (x, t1, t2, {value=1}); t1 and t2 may be numbers. */
typedef Tensor *(*AddcFn)(const Tensor *, const Tensor *, const Tensor *, double);
typedef int (*AddcFn_)(Tensor *, const Tensor *, const Tensor *, double);

static int addc_call(lua_State *L, AddcFn fn, AddcFn_ fn_)
{
    Tensor *x = check_tensor(L, 1);
    double value = opt_number(L, 4, "value", 1);
    StackScalar s1, s2;
    Tensor *t1 = operand(L, 2, x, &s1), *t2 = operand(L, 3, x, &s2);
    if (fn_)
        return inplace_result(L, fn_(x, t1, t2, value));
    push_tensor(L, fn(x, t1, t2, value));
    return 1;
}

static int l_addcmul(lua_State *L) { return addc_call(L, ag_addcmul, NULL); }
static int l_addcmul_(lua_State *L) { return addc_call(L, NULL, ag_addcmul_); }
static int l_addcdiv(lua_State *L) { return addc_call(L, ag_addcdiv, NULL); }
static int l_addcdiv_(lua_State *L) { return addc_call(L, NULL, ag_addcdiv_); }

/* ---- fill_, zero_, copy_ -------------------------------------------------------- */

static int l_fill_(lua_State *L)
{
    Tensor *x = check_tensor(L, 1);
    StackScalar sv;
    Tensor *v = operand(L, 2, x, &sv);
    double value;
    if (tensor_item(v, &value) < 0 || v->ndim != 0)
        return luaL_error(L, "fill_: the value must be a number or a 0-dim tensor, got a "
                             "%d-dim tensor", v->ndim);
    return inplace_result(L, ag_fill_(x, value));
}

static int l_zero_(lua_State *L)
{
    return inplace_result(L, ag_fill_(check_tensor(L, 1), 0));
}

static int l_copy_(lua_State *L)
{
    return inplace_result(L, ag_copy_(check_tensor(L, 1), check_tensor(L, 2)));
}

/* ---- registration -------------------------------------------------------------- */

#define BINARY_ENTRY(name, op, args, doc, ex_a, ex_b)                                    \
    {#name, ew_##name, "torch." #name "(a, " args ")  or  a:" #name "(" args ")", doc,     \
     "local a = torch.tensor(" ex_a ")\nprint(torch." #name "(a, " ex_b "))"},
#define BINARY_ENTRY_(name, op, args, doc, ex_a, ex_b)                                   \
    {#name "_", ew_##name##_, "a:" #name "_(" args ")",                                   \
     "In-place " #name ": writes the result into a, which keeps its shape and dtype; returns a.", \
     "local a = torch.tensor(" ex_a ")\na:" #name "_(" ex_b ")\nprint(a)"},
#define UNARY_ENTRY(name, op, doc, ex_x)                                                 \
    {#name, ew_##name, "torch." #name "(x)  or  x:" #name "()", doc,                      \
     "print(torch." #name "(torch.tensor(" ex_x ")))"},
#define UNARY_ENTRY_(name, op, doc, ex_x)                                                \
    {#name "_", ew_##name##_, "x:" #name "_()",                                           \
     "In-place " #name ": writes the result into x, which keeps its dtype; returns x.",   \
     "local x = torch.tensor(" ex_x ")\nx:" #name "_()\nprint(x)"},

/* Both torch.name(x, ...) and x:name(...) (x:where is replaced below by
 * PyTorch's method form). */
static const BindFn elementwise_functions[] = {
    BINARY_OPS(BINARY_ENTRY)
    UNARY_OPS(UNARY_ENTRY)
    {"gelu", l_gelu, "torch.gelu(x, {approximate=\"none\"})  or  x:gelu({approximate=})",
     "The Gaussian error linear unit x * Phi(x) (exact, with erf); approximate = \"tanh\" uses "
     "the tanh formula.",
     "local x = torch.tensor({-1.0, 0, 1})\nprint(torch.gelu(x))\n"
     "print(x:gelu({approximate = \"tanh\"}))"},
    {"where", l_where, "torch.where(cond, a, b)",
     "a where the bool tensor cond is true, else b, broadcasting all three; a and b may be numbers.",
     "local x = torch.tensor({-2, 1, -3, 4})\nprint(torch.where(x:gt(0), x, 0))"},
    {"clamp", l_clamp, "torch.clamp(x, min, max)  or  x:clamp(min, max)  or  x:clamp({min=, max=})",
     "Limits x to [min, max]; either bound may be nil, and bounds may be tensors.",
     "local x = torch.tensor({-2.0, 0.5, 3})\nprint(torch.clamp(x, -1, 1))\nprint(x:clamp({min = 0}))"},
    {"masked_fill", l_masked_fill, "torch.masked_fill(x, mask, value)  or  x:masked_fill(mask, value)",
     "x with value where the bool mask (broadcast) is true; value is converted to x's dtype.",
     "local x = torch.tensor({1.0, 2, 3, 4})\nprint(x:masked_fill(x:gt(2), 0))"},
    {"lerp", l_lerp, "torch.lerp(start, end, weight)  or  start:lerp(end, weight)",
     "start + weight * (end - start) for floating tensors; weight is a number or a tensor.",
     "print(torch.lerp(torch.zeros(3), torch.tensor({10.0, 20, 30}), 0.25))"},
    {"addcmul", l_addcmul, "torch.addcmul(x, t1, t2, {value=1})  or  x:addcmul(t1, t2, {value=1})",
     "x + value * t1 * t2 elementwise, broadcasting.",
     "local t1, t2 = torch.tensor({1.0, 2, 3}), torch.tensor({4.0, 5, 6})\n"
     "print(torch.addcmul(torch.ones(3), t1, t2, {value = 0.5}))"},
    {"addcdiv", l_addcdiv, "torch.addcdiv(x, t1, t2, {value=1})  or  x:addcdiv(t1, t2, {value=1})",
     "x + value * t1 / t2 elementwise, broadcasting; floating tensors only.",
     "local t1, t2 = torch.tensor({1.0, 2, 3}), torch.tensor({4.0, 8, 12})\n"
     "print(torch.addcdiv(torch.ones(3), t1, t2, {value = 2}))"},
    {NULL, NULL, NULL, NULL},
};

static const BindFn elementwise_methods[] = {
    {"where", l_where_method, "x:where(cond, y)",
     "x where the bool tensor cond is true, else y (a tensor or number): torch.where(cond, x, y).",
     "local x = torch.tensor({-2, 1, -3, 4})\nprint(x:where(x:gt(0), 0))"},
    BINARY_OPS(BINARY_ENTRY_)
    UNARY_OPS(UNARY_ENTRY_)
    {"gelu_", l_gelu_, "x:gelu_({approximate=\"none\"})", "In-place gelu; returns x.",
     "local x = torch.tensor({-1.0, 0, 1})\nx:gelu_()\nprint(x)"},
    {"clamp_", l_clamp_, "x:clamp_(min, max)  or  x:clamp_({min=, max=})", "In-place clamp; returns x.",
     "local x = torch.tensor({-2.0, 0.5, 3})\nx:clamp_(0, 1)\nprint(x)"},
    {"masked_fill_", l_masked_fill_, "x:masked_fill_(mask, value)",
     "Sets x to value where the bool mask (broadcast to x's shape) is true; returns x.",
     "local x = torch.arange(1, 7)\nx:masked_fill_(x:remainder(2):eq(0), -1)\nprint(x)"},
    {"lerp_", l_lerp_, "start:lerp_(end, weight)", "In-place lerp; returns start.",
     "local x = torch.zeros(3)\nx:lerp_(torch.tensor({10.0, 20, 30}), 0.5)\nprint(x)"},
    {"addcmul_", l_addcmul_, "x:addcmul_(t1, t2, {value=1})", "In-place addcmul; returns x.",
     "local x = torch.zeros(2)\n"
     "x:addcmul_(torch.tensor({1.0, 2}), torch.tensor({3.0, 4}), {value = 2})\nprint(x)"},
    {"addcdiv_", l_addcdiv_, "x:addcdiv_(t1, t2, {value=1})", "In-place addcdiv; returns x.",
     "local x = torch.ones(2)\nx:addcdiv_(torch.tensor({1.0, 2}), torch.tensor({4.0, 8}))\nprint(x)"},
    {"fill_", l_fill_, "x:fill_(value)", "Sets every element of x to value (converted to x's dtype); returns x.",
     "local x = torch.zeros(2, 3)\nx:fill_(7)\nprint(x)"},
    {"zero_", l_zero_, "x:zero_()", "Sets every element of x to 0; returns x.",
     "local x = torch.ones(2, 2)\nx:zero_()\nprint(x)"},
    {"copy_", l_copy_, "x:copy_(src)",
     "Copies src (broadcast to x's shape, converted to x's dtype) into x; returns x.",
     "local x = torch.zeros(2, 3)\nx:copy_(torch.tensor({1, 2, 3}))\nprint(x)"},
    {NULL, NULL, NULL, NULL},
};

/* Operators; __unm is called with x twice, and % is Python's (remainder). */
static const luaL_Reg elementwise_operators[] = {
    {"__add", ew_add}, {"__sub", ew_sub}, {"__mul", ew_mul}, {"__div", ew_div},
    {"__pow", ew_pow}, {"__mod", ew_remainder}, {"__unm", ew_neg}, {NULL, NULL},
};

void bind_elementwise(lua_State *L)
{
    bind_functions(L, -1, elementwise_functions);
    bind_methods(L, elementwise_functions);
    bind_methods(L, elementwise_methods);
    push_tensor_metatable(L);
    luaL_setfuncs(L, elementwise_operators, 0);
    lua_pop(L, 1);
}
