/*
 * simd.h — SIMD_CLONES marks a hot loop's function to be compiled three
 * times, for AVX-512, AVX2 and the baseline x86-64, with the copy for the
 * running CPU picked when the program loads: one binary that uses the wide
 * vectors where they exist (the Makefile targets no particular CPU).
 */
#ifndef LUAGRAD_SIMD_H
#define LUAGRAD_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__)
#define SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SIMD_CLONES
#endif

#endif
