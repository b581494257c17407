/*
 * dtype.c — the five element types: their sizes, names, promotion and the
 * default floating type.
 *
 * For these five types PyTorch's promote_types is a total order
 * (bool < uint8 < int64 < float32 < float64), so promotion of two tensor
 * operands is the larger rank.  bool is stored as one byte holding 0 or 1.
 * dtype_load/dtype_store are the one-element conversions used by slow paths;
 * bulk conversion lives in copy.c and follows the same rules.
 */
#include "tensor/tensor.h"

#include <string.h>

static const struct {
    const char *name;
    int rank;              /* position in the promotion order */
} dtype_info[DTYPE_COUNT] = {
    [DTYPE_FLOAT32] = {"float32", 3},
    [DTYPE_FLOAT64] = {"float64", 4},
    [DTYPE_INT64] = {"int64", 2},
    [DTYPE_UINT8] = {"uint8", 1},
    [DTYPE_BOOL] = {"bool", 0},
};

static const struct {
    const char *name;
    DType dtype;
} dtype_aliases[] = {
    {"float32", DTYPE_FLOAT32}, {"float", DTYPE_FLOAT32},
    {"float64", DTYPE_FLOAT64}, {"double", DTYPE_FLOAT64},
    {"int64", DTYPE_INT64},     {"long", DTYPE_INT64},
    {"uint8", DTYPE_UINT8},     {"byte", DTYPE_UINT8},
    {"bool", DTYPE_BOOL},
};

/* The process has one interpreter thread, so a plain global is enough. */
static DType default_dtype = DTYPE_FLOAT32;

const char *dtype_name(DType dt)
{
    return dtype_info[dt].name;
}

int dtype_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof dtype_aliases / sizeof dtype_aliases[0]; i++)
        if (strcmp(name, dtype_aliases[i].name) == 0)
            return (int)dtype_aliases[i].dtype;
    return -1;
}

bool dtype_is_floating(DType dt)
{
    return dt == DTYPE_FLOAT32 || dt == DTYPE_FLOAT64;
}

DType dtype_promote(DType a, DType b)
{
    return dtype_info[a].rank >= dtype_info[b].rank ? a : b;
}

DType dtype_default(void)
{
    return default_dtype;
}

int dtype_category(DType dt)
{
    return dt == DTYPE_BOOL ? 0 : dtype_is_floating(dt) ? 2 : 1;
}

/* PyTorch's combine_categories: `higher` is the promoted dtype of the
 * dimensioned operands, `lower` that of the 0-dim ones (-1: none). */
static int dtype_combine(int higher, int lower)
{
    if (higher < 0)
        return lower;
    if (lower < 0 || dtype_category((DType)higher) >= dtype_category((DType)lower))
        return higher;
    return (int)dtype_promote((DType)higher, (DType)lower);
}

DType dtype_result_type(int n, const Tensor *const *operands)
{
    int dim = -1, zero = -1;
    for (int i = 0; i < n; i++) {
        int *slot = operands[i]->ndim > 0 ? &dim : &zero;
        DType dt = operands[i]->dtype;
        *slot = *slot < 0 ? (int)dt : (int)dtype_promote((DType)*slot, dt);
    }
    return (DType)dtype_combine(dim, zero);
}

DType dtype_of_scalar(ScalarKind k)
{
    return k == SCALAR_BOOL ? DTYPE_BOOL : k == SCALAR_INT ? DTYPE_INT64 : default_dtype;
}

DType dtype_result_with_scalar(DType tensor_dtype, ScalarKind k)
{
    return (DType)dtype_combine((int)tensor_dtype, (int)dtype_of_scalar(k));
}

int dtype_set_default(DType dt)
{
    if (!dtype_is_floating(dt)) {
        tensor_fail("set_default_dtype: only floating types can be the default, got %s",
                    dtype_name(dt));
        return -1;
    }
    default_dtype = dt;
    return 0;
}

double dtype_load(DType dt, const void *p)
{
    switch (dt) {
    case DTYPE_FLOAT32: return *(const float *)p;
    case DTYPE_FLOAT64: return *(const double *)p;
    case DTYPE_INT64: return (double)*(const int64_t *)p;
    default: return *(const uint8_t *)p;   /* uint8 and bool */
    }
}

void dtype_store(DType dt, void *p, double v)
{
    switch (dt) {
    case DTYPE_FLOAT32: *(float *)p = (float)v; break;
    case DTYPE_FLOAT64: *(double *)p = v; break;
    case DTYPE_INT64: *(int64_t *)p = dtype_double_to_int64(v); break;
    /* Through int64 like PyTorch, so -1.0 becomes 255 rather than C's UB. */
    case DTYPE_UINT8: *(uint8_t *)p = (uint8_t)dtype_double_to_int64(v); break;
    default: *(uint8_t *)p = v != 0; break;
    }
}
