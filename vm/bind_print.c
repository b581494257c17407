/* bind_print.c — placeholder until this binding family lands. */
#include "vm/bind_tensor.h"

void bind_print(lua_State *L)
{
    (void)L;
}
