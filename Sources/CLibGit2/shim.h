#ifndef PATCHSITE_CLIBGIT2_SHIM_H
#define PATCHSITE_CLIBGIT2_SHIM_H
#include <git2.h>

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
#endif
