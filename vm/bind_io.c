/*
 * bind_io.c — the file formats in Lua: the primitives under torch.save and
 * torch.load (lib/torch/serialize.lua) and the dataset readers (lib/data/).
 *
 *   torch._read_safetensors(path)            -> tensors by name, metadata, names in file order
 *   torch._write_safetensors(path, tensors, metadata)
 *   torch._read_npy(path), torch._write_npy(path, t)
 *   torch._read_idx(path)                    -> the tensor of an IDX file (.gz or plain)
 *   torch._read_csv(path, {delimiter=, header=}) -> float64 (rows, cols), column names
 *   torch._json_decode(text, {nonfinite=})   -> the Lua value of a JSON text
 *
 * Results the core allocates (a parsed header, a JSON document) are held by
 * a "box" userdata while they are turned into Lua values, so a Lua error in
 * between (out of memory) still frees them, at the next collection.
 */
#include <stdlib.h>
#include <string.h>

#include "tensor/csv.h"
#include "tensor/idx.h"
#include "tensor/json.h"
#include "tensor/npy.h"
#include "tensor/safetensors.h"
#include "vm/bind_tensor.h"

#define BOX_MT "luagrad.Box"

typedef struct {
    void *p;
    void (*release)(void *p);
} Box;

static int box_gc(lua_State *L)
{
    Box *b = luaL_checkudata(L, 1, BOX_MT);
    if (b->p)
        b->release(b->p);
    b->p = NULL;
    return 0;
}

/* Pushes a box owning p (released by `release` unless box_done runs first). */
static Box *push_box(lua_State *L, void *p, void (*release)(void *p))
{
    Box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->p = p;
    b->release = release;
    luaL_setmetatable(L, BOX_MT);
    return b;
}

static void box_done(Box *b)
{
    b->release(b->p);
    b->p = NULL;
}

/* ---- safetensors -------------------------------------------------------------------- */

static void release_safetensors(void *p)
{
    safetensors_free(p);
    free(p);
}

static int l_read_safetensors(lua_State *L)
{
    Safetensors *st = safetensors_read(luaL_checkstring(L, 1));
    if (!st)
        return raise_tensor_error(L);
    Box *box = push_box(L, st, release_safetensors);
    lua_createtable(L, 0, (int)st->count);    /* tensors by name */
    lua_createtable(L, 0, (int)st->nmeta);    /* metadata */
    lua_createtable(L, (int)st->count, 0);    /* names in file order */
    for (size_t i = 0; i < st->count; i++) {
        SafetensorsEntry *e = &st->entries[i];
        lua_pushlstring(L, e->name.s, e->name.len);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, (lua_Integer)i + 1);
        Tensor *t = e->tensor;
        e->tensor = NULL;                     /* the userdata owns it now */
        push_tensor(L, t);
        lua_rawset(L, -5);
    }
    for (size_t i = 0; i < st->nmeta; i++) {
        lua_pushlstring(L, st->meta_keys[i].s, st->meta_keys[i].len);
        lua_pushlstring(L, st->meta_values[i].s, st->meta_values[i].len);
        lua_rawset(L, -4);
    }
    box_done(box);
    return 3;
}

/* The string keys and values of the table at `index` into keys/values
 * (arrays in userdata on the stack, so a Lua error frees them); the tensor
 * values into `tensors` when it is not NULL (then values are not strings). */
static size_t collect(lua_State *L, int index, JsonString **keys, JsonString **values,
                      Tensor ***tensors, const char *what)
{
    size_t n = 0;
    if (lua_isnoneornil(L, index))
        return 0;
    luaL_checktype(L, index, LUA_TTABLE);
    for (lua_pushnil(L); lua_next(L, index); lua_pop(L, 1))
        n++;
    *keys = lua_newuserdatauv(L, (n + 1) * sizeof **keys, 0);
    if (tensors)
        *tensors = lua_newuserdatauv(L, (n + 1) * sizeof **tensors, 0);
    else
        *values = lua_newuserdatauv(L, (n + 1) * sizeof **values, 0);
    size_t i = 0;
    for (lua_pushnil(L); lua_next(L, index); lua_pop(L, 1), i++) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "save: %s keys must be strings, got a %s", what, luaL_typename(L, -2));
        (*keys)[i].s = (char *)lua_tolstring(L, -2, &(*keys)[i].len);
        if (tensors) {
            Tensor *t = test_tensor(L, -1);
            if (!t)
                luaL_error(L, "save: %s '%s' is a %s, not a tensor", what, (*keys)[i].s, luaL_typename(L, -1));
            (*tensors)[i] = t;
        } else {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "save: %s '%s' must be a string, got a %s", what, (*keys)[i].s,
                           luaL_typename(L, -1));
            (*values)[i].s = (char *)lua_tolstring(L, -1, &(*values)[i].len);
        }
    }
    return n;
}

static int l_write_safetensors(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    JsonString *names = NULL, *unused = NULL, *meta_keys = NULL, *meta_values = NULL;
    Tensor **tensors = NULL;
    size_t n = collect(L, 2, &names, &unused, &tensors, "tensor");
    size_t nmeta = collect(L, 3, &meta_keys, &meta_values, NULL, "metadata");
    if (safetensors_write(path, n, names, tensors, nmeta, meta_keys, meta_values) != 0)
        return raise_tensor_error(L);
    return 0;
}

/* ---- npy, idx, csv ------------------------------------------------------------------ */

static int l_read_npy(lua_State *L)
{
    push_tensor(L, npy_read(luaL_checkstring(L, 1)));
    return 1;
}

static int l_write_npy(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (npy_write(path, check_tensor(L, 2)) != 0)
        return raise_tensor_error(L);
    return 0;
}

static int l_read_idx(lua_State *L)
{
    push_tensor(L, idx_read(luaL_checkstring(L, 1)));
    return 1;
}

static void release_csv(void *p)
{
    csv_table_free(p);
    free(p);
}

static int l_read_csv(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int opts = has_options(L, 2) ? 2 : 0;
    const char *delim = ",";
    if (opts) {
        lua_getfield(L, opts, "delimiter");
        if (!lua_isnil(L, -1))
            delim = luaL_checkstring(L, -1);
        lua_pop(L, 1);
    }
    if (strlen(delim) != 1 || strchr("\"\r\n ", delim[0]))
        return luaL_error(L, "read_csv: the delimiter must be one character other than a quote, a space or a "
                          "line end, got '%s'", delim);
    bool header = opt_bool(L, opts, "header", true);
    CsvTable *table = calloc(1, sizeof *table);
    if (!table)
        return luaL_error(L, "read_csv: out of memory");
    Box *box = push_box(L, table, release_csv);
    if (csv_read(path, delim[0], header, table) != 0)
        return raise_tensor_error(L);
    Tensor *values = table->values;
    table->values = NULL;
    push_tensor(L, values);
    if (table->names) {
        lua_createtable(L, (int)table->ncols, 0);
        for (int64_t k = 0; k < table->ncols; k++) {
            lua_pushstring(L, table->names[k]);
            lua_rawseti(L, -2, k + 1);
        }
    } else {
        lua_pushnil(L);
    }
    box_done(box);
    return 2;
}

/* ---- JSON --------------------------------------------------------------------------- */

static void push_json(lua_State *L, const JsonValue *v)
{
    luaL_checkstack(L, 4, "json_decode: nested too deeply");
    switch (v->type) {
    case JSON_NULL:
        lua_pushnil(L);
        break;
    case JSON_FALSE:
    case JSON_TRUE:
        lua_pushboolean(L, v->type == JSON_TRUE);
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)v->integer);
        break;
    case JSON_NUMBER:
        lua_pushnumber(L, v->number);
        break;
    case JSON_STRING:
        lua_pushlstring(L, v->string.s, v->string.len);
        break;
    case JSON_ARRAY:
        lua_createtable(L, (int)v->count, 0);
        for (size_t i = 0; i < v->count; i++) {
            push_json(L, &v->items[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case JSON_OBJECT:
        lua_createtable(L, 0, (int)v->count);
        for (size_t i = 0; i < v->count; i++) {
            lua_pushlstring(L, v->keys[i].s, v->keys[i].len);
            push_json(L, &v->items[i]);
            lua_rawset(L, -3);
        }
        break;
    }
}

static void release_json(void *p)
{
    json_free(p);
}

static int l_json_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    int opts = has_options(L, 2) ? 2 : 0;
    JsonValue *doc = json_parse(text, len, opt_bool(L, opts, "nonfinite", false) ? JSON_ALLOW_NONFINITE : 0);
    if (!doc)
        return luaL_error(L, "json_decode: %s", tensor_error());
    Box *box = push_box(L, doc, release_json);
    push_json(L, doc);
    box_done(box);
    return 1;
}

static const BindFn io_functions[] = {
    {"_read_safetensors", l_read_safetensors, "torch._read_safetensors(path)",
     "Reads a safetensors file: returns its tensors by name, its __metadata__ strings, and the names in "
     "file order. torch.load builds on it.",
     "local path = os.tmpname()\ntorch.save({b = torch.ones(2), a = torch.zeros(1)}, path)\n"
     "local tensors, metadata, names = torch._read_safetensors(path)\n"
     "print(tensors.b, metadata.format, table.concat(names, \" \"))\nos.remove(path)"},
    {"_write_safetensors", l_write_safetensors, "torch._write_safetensors(path, tensors, metadata)",
     "Writes tensors (a table of name = tensor) and metadata (name = string) as a safetensors file, "
     "atomically. torch.save builds on it.",
     "local path = os.tmpname()\n"
     "torch._write_safetensors(path, {weight = torch.eye(2), bias = torch.zeros(2)}, {format = \"pt\"})\n"
     ""
     "local tensors, metadata = torch.load(path)\nprint(tensors.weight, metadata.format)\n"
     "os.remove(path)"},
    {"_read_npy", l_read_npy, "torch._read_npy(path)", "Reads a NumPy .npy file into a tensor.",
     "local path = os.tmpname()\ntorch._write_npy(path, torch.eye(2, {dtype = \"float64\"}))\n"
     "print(torch._read_npy(path))\nos.remove(path)"},
    {"_write_npy", l_write_npy, "torch._write_npy(path, t)",
     "Writes a tensor as a NumPy .npy file (version 1.0, C order), atomically.",
     "local path = os.tmpname()\ntorch._write_npy(path, torch.arange(6):view(2, 3))\n"
     "local f = io.open(path, \"rb\")\nprint(f:read(128):match(\"{.-}\"))  -- the header NumPy reads\n"
     "f:close()\nos.remove(path)"},
    {"_read_idx", l_read_idx, "torch._read_idx(path)",
     "Reads an IDX file (MNIST's format), gzip-compressed or plain, into a tensor (uint8 data stays uint8).",
     "local path = os.tmpname()\nlocal f = io.open(path, \"wb\")\n"
     "f:write(string.pack(\">I4I4I4\", 0x0802, 2, 3), \"\\1\\2\\3\\4\\5\\6\")  -- uint8, 2 dims: 2 x 3\n"
     ""
     "f:close()\nprint(torch._read_idx(path))\nos.remove(path)"},
    {"_read_csv", l_read_csv, "torch._read_csv(path, {delimiter=\",\", header=true})",
     "Reads a numeric CSV file: returns a float64 (rows, cols) tensor and the column names (nil without a "
     "header).",
     "local path = os.tmpname()\nlocal f = io.open(path, \"w\")\nf:write(\"x,y\\n1,2\\n3,4.5\\n\")\n"
     "f:close()\n"
     "local t, names = torch._read_csv(path)\nprint(t, names[1], names[2])\nos.remove(path)"},
    {"_json_decode", l_json_decode, "torch._json_decode(text, {nonfinite=false})",
     "The Lua value of a JSON text (null becomes nil); nonfinite accepts NaN and Infinity as Python writes "
     "them.",
     "local v = torch._json_decode('{\"lr\": 0.01, \"sizes\": [784, 10], \"note\": null}')\n"
     "print(v.lr, v.sizes[1], v.sizes[2], v.note)\n"
     "print(torch._json_decode(\"[NaN, Infinity]\", {nonfinite = true})[2])"},
    {NULL, NULL, NULL, NULL},
};

void bind_io(lua_State *L)
{
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    bind_functions(L, -1, io_functions);
}
