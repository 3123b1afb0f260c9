#include "lib/glob.h"
#include "lib/test.h"

TEST(glob, literal)
{
	EXPECT(glob_match("pmm.alloc", "pmm.alloc"));
	EXPECT(!glob_match("pmm.alloc", "pmm.allocx"));
	EXPECT(!glob_match("pmm.allocx", "pmm.alloc"));
	EXPECT(glob_match("", ""));
	EXPECT(!glob_match("", "a"));
}

TEST(glob, star)
{
	EXPECT(glob_match("*", ""));
	EXPECT(glob_match("*", "anything"));
	EXPECT(glob_match("pmm.*", "pmm.alloc_all"));
	EXPECT(!glob_match("pmm.*", "vm.map"));
	EXPECT(glob_match("*.map*", "vm.map_unmap"));
	EXPECT(glob_match("a*b*c", "aXXbYYc"));
	EXPECT(!glob_match("a*b*c", "aXXbYY"));
	EXPECT(glob_match("**", "x"));
}

TEST(glob, question)
{
	EXPECT(glob_match("?", "x"));
	EXPECT(!glob_match("?", ""));
	EXPECT(glob_match("vm.?ap", "vm.map"));
}
