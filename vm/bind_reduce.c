/* bind_reduce.c — placeholder until this binding family lands. */
#include "vm/bind_tensor.h"

void bind_reduce(lua_State *L)
{
    (void)L;
}
