/* The release version; bumped by hand. */
#define PADDOCK_VERSION "0.1.0"
