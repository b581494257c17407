/*
 * asan.h — telling AddressSanitizer about memory the allocators keep.
 *
 * block.c and storage.c keep freed blocks for reuse instead of returning
 * them to malloc, so ASan would see a use after free of a tensor as a
 * valid access.  They poison a block while it waits and unpoison it when
 * they hand it out again; outside ASan builds both are no-ops.
 */
#ifndef LUAGRAD_ASAN_H
#define LUAGRAD_ASAN_H

#include <stddef.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif

#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
static inline void mem_poison(void *p, size_t n) { ASAN_POISON_MEMORY_REGION(p, n); }
static inline void mem_unpoison(void *p, size_t n) { ASAN_UNPOISON_MEMORY_REGION(p, n); }
#else
static inline void mem_poison(void *p, size_t n) { (void)p, (void)n; }
static inline void mem_unpoison(void *p, size_t n) { (void)p, (void)n; }
#endif

#endif
