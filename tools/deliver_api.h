/*
** deliver_api.h — the libcurl and libcrypto functions delivery uses, called
** through dl_fn: both are opened when a delivery first sends (core/dl.h),
** not at every start of the command.  Include this instead of curl/curl.h
** and the openssl headers.
*/
#ifndef VIGIL_DELIVER_API_H
#define VIGIL_DELIVER_API_H

#include <stddef.h>
/* (curl_easy_setopt is a function here, not typecheck-gcc.h's macro) */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define DV_CURL_API(X) \
  X(curl_easy_cleanup) \
  X(curl_easy_escape) \
  X(curl_easy_getinfo) \
  X(curl_easy_init) \
  X(curl_easy_perform) \
  X(curl_easy_setopt) \
  X(curl_easy_strerror) \
  X(curl_free) \
  X(curl_getdate) \
  X(curl_global_cleanup) \
  X(curl_global_init) \
  X(curl_mime_addpart) \
  X(curl_mime_data) \
  X(curl_mime_encoder) \
  X(curl_mime_free) \
  X(curl_mime_init) \
  X(curl_mime_subparts) \
  X(curl_mime_type) \
  X(curl_slist_append) \
  X(curl_slist_free_all)
#define DV_CRYPTO_API(X) \
  X(HMAC) \
  X(EVP_sha256) \
  X(EVP_EncodeBlock)
typedef struct dl_api {
#define X(name) __typeof__(name) *f_##name;
  DV_CURL_API(X)
  DV_CRYPTO_API(X)
#undef X
} dl_api;
extern dl_api dl_fn;
/* Open libcurl and libcrypto, once per process.  0, or -1 with err set. */
int dl_api_load(char *err, size_t errcap);
#define curl_easy_cleanup (dl_fn.f_curl_easy_cleanup)
#define curl_easy_escape (dl_fn.f_curl_easy_escape)
#undef curl_easy_getinfo
#define curl_easy_getinfo (dl_fn.f_curl_easy_getinfo)
#define curl_easy_init (dl_fn.f_curl_easy_init)
#define curl_easy_perform (dl_fn.f_curl_easy_perform)
#undef curl_easy_setopt
#define curl_easy_setopt (dl_fn.f_curl_easy_setopt)
#define curl_easy_strerror (dl_fn.f_curl_easy_strerror)
#define curl_free (dl_fn.f_curl_free)
#define curl_getdate (dl_fn.f_curl_getdate)
#define curl_global_cleanup (dl_fn.f_curl_global_cleanup)
#define curl_global_init (dl_fn.f_curl_global_init)
#define curl_mime_addpart (dl_fn.f_curl_mime_addpart)
#define curl_mime_data (dl_fn.f_curl_mime_data)
#define curl_mime_encoder (dl_fn.f_curl_mime_encoder)
#define curl_mime_free (dl_fn.f_curl_mime_free)
#define curl_mime_init (dl_fn.f_curl_mime_init)
#define curl_mime_subparts (dl_fn.f_curl_mime_subparts)
#define curl_mime_type (dl_fn.f_curl_mime_type)
#define curl_slist_append (dl_fn.f_curl_slist_append)
#define curl_slist_free_all (dl_fn.f_curl_slist_free_all)
#define HMAC (dl_fn.f_HMAC)
#define EVP_sha256 (dl_fn.f_EVP_sha256)
#define EVP_EncodeBlock (dl_fn.f_EVP_EncodeBlock)

#endif
