/*
 * libgit2, loaded when a command first needs it.
 *
 * Linked, libgit2 made every run of patchsite load it and the libraries it needs (OpenSSL's
 * libcrypto, Kerberos, mbedTLS, libssh2: 21 in all) and run their constructors, about 3.8 ms
 * of a start that is otherwise 1 ms: for every command, also those that never read a git
 * repository (asm, disasm, run, mail). So libgit2 is not linked. Each libgit2 function the Git
 * module calls is defined here with its prototype from <git2.h> (the compiler checks that they
 * agree) and calls the library's function through a table that `patchsite_git2_load` fills
 * with dlopen and dlsym, once. Without libgit2 on the machine only the git commands fail, with
 * the dynamic loader's reason.
 */
#include "CLibGit2Loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Every libgit2 function the Git module calls: F(return type, name, parameters, arguments),
 * or V(name, parameters, arguments) for those that return nothing. */
#define PATCHSITE_GIT2_FUNCTIONS(F, V) \
  F(int, git_apply_to_tree, (git_index **out, git_repository *repo, git_tree *preimage, git_diff *diff, const git_apply_options *options), (out, repo, preimage, diff, options)) \
  V(git_blob_free, (git_blob *blob), (blob)) \
  F(int, git_blob_lookup, (git_blob **blob, git_repository *repo, const git_oid *id), (blob, repo, id)) \
  F(const void *, git_blob_rawcontent, (const git_blob *blob), (blob)) \
  F(git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob)) \
  V(git_buf_dispose, (git_buf *buffer), (buffer)) \
  F(const git_signature *, git_commit_author, (const git_commit *commit), (commit)) \
  F(const git_signature *, git_commit_committer, (const git_commit *commit), (commit)) \
  V(git_commit_free, (git_commit *commit), (commit)) \
  F(const git_oid *, git_commit_id, (const git_commit *commit), (commit)) \
  F(int, git_commit_lookup, (git_commit **commit, git_repository *repo, const git_oid *id), (commit, repo, id)) \
  F(const char *, git_commit_message, (const git_commit *commit), (commit)) \
  F(const git_oid *, git_commit_parent_id, (const git_commit *commit, unsigned int n), (commit, n)) \
  F(unsigned int, git_commit_parentcount, (const git_commit *commit), (commit)) \
  F(const char *, git_commit_summary, (git_commit *commit), (commit)) \
  F(const git_oid *, git_commit_tree_id, (const git_commit *commit), (commit)) \
  F(int, git_diff_find_similar, (git_diff *diff, const git_diff_find_options *options), (diff, options)) \
  V(git_diff_free, (git_diff *diff), (diff)) \
  F(int, git_diff_from_buffer, (git_diff **out, const char *content, size_t content_len), (out, content, content_len)) \
  F(const git_diff_delta *, git_diff_get_delta, (const git_diff *diff, size_t idx), (diff, idx)) \
  F(size_t, git_diff_num_deltas, (const git_diff *diff), (diff)) \
  F(int, git_diff_to_buf, (git_buf *out, git_diff *diff, git_diff_format_t format), (out, diff, format)) \
  F(int, git_diff_tree_to_tree, (git_diff **diff, git_repository *repo, git_tree *old_tree, git_tree *new_tree, const git_diff_options *opts), (diff, repo, old_tree, new_tree, opts)) \
  F(const git_error *, git_error_last, (void), ()) \
  V(git_index_free, (git_index *index), (index)) \
  F(int, git_index_write_tree_to, (git_oid *out, git_index *index, git_repository *repo), (out, index, repo)) \
  F(int, git_libgit2_init, (void), ()) \
  F(int, git_libgit2_version, (int *major, int *minor, int *rev), (major, minor, rev)) \
  F(int, git_mempack_new, (git_odb_backend **out), (out)) \
  F(int, git_merge_bases, (git_oidarray *out, git_repository *repo, const git_oid *one, const git_oid *two), (out, repo, one, two)) \
  V(git_object_free, (git_object *object), (object)) \
  F(const git_oid *, git_object_id, (const git_object *obj), (obj)) \
  F(int, git_object_peel, (git_object **peeled, const git_object *object, git_object_t target_type), (peeled, object, target_type)) \
  F(int, git_odb_add_backend, (git_odb *odb, git_odb_backend *backend, int priority), (odb, backend, priority)) \
  V(git_odb_free, (git_odb *db), (db)) \
  F(int, git_odb_hash, (git_oid *out, const void *data, size_t len, git_object_t type), (out, data, len, type)) \
  F(const void *, git_odb_object_data, (git_odb_object *object), (object)) \
  V(git_odb_object_free, (git_odb_object *object), (object)) \
  F(size_t, git_odb_object_size, (git_odb_object *object), (object)) \
  F(git_object_t, git_odb_object_type, (git_odb_object *object), (object)) \
  F(int, git_odb_read, (git_odb_object **out, git_odb *db, const git_oid *id), (out, db, id)) \
  V(git_oidarray_dispose, (git_oidarray *array), (array)) \
  V(git_patch_free, (git_patch *patch), (patch)) \
  F(int, git_patch_from_diff, (git_patch **out, git_diff *diff, size_t idx), (out, diff, idx)) \
  F(int, git_patch_get_hunk, (const git_diff_hunk **out, size_t *lines_in_hunk, git_patch *patch, size_t hunk_idx), (out, lines_in_hunk, patch, hunk_idx)) \
  F(size_t, git_patch_num_hunks, (const git_patch *patch), (patch)) \
  F(const char *, git_repository_commondir, (const git_repository *repo), (repo)) \
  V(git_repository_free, (git_repository *repo), (repo)) \
  F(int, git_repository_is_bare, (const git_repository *repo), (repo)) \
  F(int, git_repository_is_shallow, (git_repository *repo), (repo)) \
  F(int, git_repository_odb, (git_odb **out, git_repository *repo), (out, repo)) \
  F(int, git_repository_open_ext, (git_repository **out, const char *path, unsigned int flags, const char *ceiling_dirs), (out, path, flags, ceiling_dirs)) \
  F(const char *, git_repository_path, (const git_repository *repo), (repo)) \
  F(const char *, git_repository_workdir, (const git_repository *repo), (repo)) \
  F(int, git_revparse, (git_revspec *revspec, git_repository *repo, const char *spec), (revspec, repo, spec)) \
  F(int, git_revparse_single, (git_object **out, git_repository *repo, const char *spec), (out, repo, spec)) \
  V(git_revwalk_free, (git_revwalk *walk), (walk)) \
  F(int, git_revwalk_hide, (git_revwalk *walk, const git_oid *commit_id), (walk, commit_id)) \
  F(int, git_revwalk_new, (git_revwalk **out, git_repository *repo), (out, repo)) \
  F(int, git_revwalk_next, (git_oid *out, git_revwalk *walk), (out, walk)) \
  F(int, git_revwalk_push, (git_revwalk *walk, const git_oid *id), (walk, id)) \
  F(int, git_revwalk_push_glob, (git_revwalk *walk, const char *glob), (walk, glob)) \
  F(int, git_revwalk_push_head, (git_revwalk *walk), (walk)) \
  F(int, git_revwalk_sorting, (git_revwalk *walk, unsigned int sort_mode), (walk, sort_mode)) \
  F(const git_tree_entry *, git_tree_entry_byindex, (const git_tree *tree, size_t idx), (tree, idx)) \
  F(int, git_tree_entry_bypath, (git_tree_entry **out, const git_tree *root, const char *path), (out, root, path)) \
  F(git_filemode_t, git_tree_entry_filemode, (const git_tree_entry *entry), (entry)) \
  V(git_tree_entry_free, (git_tree_entry *entry), (entry)) \
  F(const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry)) \
  F(const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry)) \
  F(git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry)) \
  F(size_t, git_tree_entrycount, (const git_tree *tree), (tree)) \
  V(git_tree_free, (git_tree *tree), (tree)) \
  F(int, git_tree_lookup, (git_tree **out, git_repository *repo, const git_oid *id), (out, repo, id))

#define FIELD_F(ret, name, params, args) ret(*name) params;
#define FIELD_V(name, params, args) void(*name) params;
static struct {
  PATCHSITE_GIT2_FUNCTIONS(FIELD_F, FIELD_V)
  /* Variadic: called only with the arguments of the helpers below. */
  int (*git_libgit2_opts)(int option, ...);
} git2;

static pthread_once_t git2_once = PTHREAD_ONCE_INIT;
static char git2_error[512];

static void *git2_open(void) {
  /* PATCHSITE_LIBGIT2 names the library to load instead (one elsewhere, or none, to check
   * what happens without it); else the development link (what the headers came with), then
   * the run-time name of the headers' version. */
  const char *names[] = {"libgit2.so", "libgit2.so." LIBGIT2_SOVERSION};
  size_t count = sizeof names / sizeof names[0];
  const char *chosen = getenv("PATCHSITE_LIBGIT2");
  if (chosen != NULL && chosen[0] != 0) {
    names[0] = chosen;
    count = 1;
  }
  const char *why = NULL;
  for (size_t k = 0; k < count; k++) {
    void *handle = dlopen(names[k], RTLD_NOW | RTLD_LOCAL);
    if (handle != NULL) return handle;
    why = dlerror();
  }
  snprintf(git2_error, sizeof git2_error, "libgit2 could not be loaded: %s",
           why != NULL ? why : "no library found");
  return NULL;
}

static void git2_symbol(void *handle, void **slot, const char *name) {
  if (git2_error[0] != 0) return;
  *slot = dlsym(handle, name);
  if (*slot == NULL) snprintf(git2_error, sizeof git2_error, "libgit2 has no function %s", name);
}

#define RESOLVE_F(ret, name, params, args) git2_symbol(handle, (void **)&git2.name, #name);
#define RESOLVE_V(name, params, args) RESOLVE_F(void, name, params, args)

static void git2_resolve(void) {
  void *handle = git2_open();
  if (handle == NULL) return;
  PATCHSITE_GIT2_FUNCTIONS(RESOLVE_F, RESOLVE_V)
  git2_symbol(handle, (void **)&git2.git_libgit2_opts, "git_libgit2_opts");
}

const char *patchsite_git2_load(void) {
  pthread_once(&git2_once, git2_resolve);
  return git2_error[0] == 0 ? NULL : git2_error;
}

/* Reached only if a libgit2 function is called although loading failed (the Git module checks
 * `patchsite_git2_load` first): stop with the reason instead of calling through NULL. */
static void git2_require(void) {
  const char *error = patchsite_git2_load();
  if (error != NULL) {
    fprintf(stderr, "patchsite: %s\n", error);
    abort();
  }
}

#define DEFINE_F(ret, name, params, args) \
  ret name params { \
    git2_require(); \
    return git2.name args; \
  }
#define DEFINE_V(name, params, args) \
  void name params { \
    git2_require(); \
    git2.name args; \
  }
PATCHSITE_GIT2_FUNCTIONS(DEFINE_F, DEFINE_V)

int patchsite_set_cache_object_limit(git_object_t type, size_t size) {
  git2_require();
  return git2.git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, size);
}

int patchsite_set_strict_hash_verification(int enabled) {
  git2_require();
  return git2.git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
