#ifndef PATCHSITE_CLIBGIT2_SHIM_H
#define PATCHSITE_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <pthread.h>
#include <stdlib.h>

/* Macros that Swift cannot import become static inline helpers here. */
static inline git_diff_options patchsite_diff_options_init(void) {
  git_diff_options o = GIT_DIFF_OPTIONS_INIT;
  return o;
}
static inline git_apply_options patchsite_apply_options_init(void) {
  git_apply_options o = GIT_APPLY_OPTIONS_INIT;
  return o;
}
static inline git_diff_find_options patchsite_diff_find_options_init(void) {
  git_diff_find_options o = GIT_DIFF_FIND_OPTIONS_INIT;
  return o;
}
static inline git_buf patchsite_buf_init(void) {
  git_buf b = GIT_BUF_INIT;
  return b;
}


/*
 * A recursive mutex for the Git module's Repository, which serialises every libgit2 call made on
 * one git_repository (libgit2 objects must not be used by two threads at once). Kept here so the
 * Git module needs no platform module (Glibc/Darwin) of its own.
 */
static inline void *patchsite_mutex_create(void) {
  pthread_mutex_t *m = (pthread_mutex_t *)malloc(sizeof(pthread_mutex_t));
  if (m == NULL) return NULL;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
  return m;
}
static inline void patchsite_mutex_lock(void *m) { pthread_mutex_lock((pthread_mutex_t *)m); }
static inline void patchsite_mutex_unlock(void *m) { pthread_mutex_unlock((pthread_mutex_t *)m); }
static inline void patchsite_mutex_destroy(void *m) {
  pthread_mutex_destroy((pthread_mutex_t *)m);
  free(m);
}
#endif
