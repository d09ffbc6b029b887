#ifndef PATCHSITE_CLIBGIT2_LOADER_H
#define PATCHSITE_CLIBGIT2_LOADER_H
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <stddef.h>

/*
 * libgit2 is not linked: git2-loader.c loads it on first use. NULL once it is ready, else why
 * it could not be loaded. The Git module calls it before any other libgit2 function.
 */
const char *patchsite_git2_load(void);

/* git_libgit2_opts is variadic, which Swift cannot call. */
int patchsite_set_cache_object_limit(git_object_t type, size_t size);
int patchsite_set_strict_hash_verification(int enabled);
#endif
