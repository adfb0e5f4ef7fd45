using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class FooterOverlapValidationTests
{
    [Fact]
    public void EndFooterOverlappingMetadataIsRefused()
    {
        // A 511-byte end footer one byte after the old footer's place (F + 1), and a locator whose
        // data ends exactly there: its sector-rounded region [F, F + 512) runs under the footer.
        var img = Img.Dynamic();
        int f = img.Length - 512;
        Img.PatchHeader(img, h =>
        {
            var locs = h.ParentLocators.ToArray();
            locs[0] = new ParentLocator(ParentLocator.W2ru, 1, 1, 0, (ulong)f);
            return h with { ParentLocators = locs };
        });
        var footer = img[f..];
        var shifted = new byte[img.Length];
        Array.Copy(img, shifted, f);
        Array.Copy(footer, 0, shifted, f + 1, 511);
        var e = Img.OpenFails(shifted);
        Assert.Equal("footer", e.Field);
        Assert.Contains($"end footer at {f + 1}", e.Message);
        Assert.Contains($"{f + 512}", e.Message);
    }
}
