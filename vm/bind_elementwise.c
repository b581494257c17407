/* bind_elementwise.c — placeholder until this binding family lands. */
#include "vm/bind_tensor.h"

void bind_elementwise(lua_State *L)
{
    (void)L;
}
