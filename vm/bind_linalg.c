/* bind_linalg.c — placeholder until this binding family lands. */
#include "vm/bind_tensor.h"

void bind_linalg(lua_State *L)
{
    (void)L;
}
