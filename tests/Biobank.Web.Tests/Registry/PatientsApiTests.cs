using System.Net;
using System.Text.Json;
using Biobank.Core.Registry;
using Biobank.Web.Tests.Support;

namespace Biobank.Web.Tests.Registry;

/// <summary>GET /api/v1/patients/{pseudonym}: patient, treatment and the latest organ doses, to the patient's site and central users.</summary>
public sealed class PatientsApiTests(BiobankWebFactory app) : IClassFixture<BiobankWebFactory>
{
    private const string Patient = "BRU-0001";

    private async Task<DoseVersion> LatestAsync() => (await app.Get<DoseQueries>().LatestVersionAsync(default))!;

    [Fact]
    public async Task The_patients_api_answers_the_patients_site_and_central_users_and_404_to_others()
    {
        var latest = await LatestAsync();
        foreach (var user in new[] { "tech.bru", "bio.bru", "admin", "biologist" })
        {
            var client = await app.BearerAsync(user);
            var response = await client.GetAsync($"/api/v1/patients/{Patient}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, user);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = json.RootElement;
            root.GetProperty("pseudonym").GetString().ShouldBe(Patient);
            root.GetProperty("site").GetString().ShouldBe("BRU");
            root.GetProperty("treatment").GetProperty("diagnosisGroup").GetString().ShouldNotBeNullOrEmpty();
            root.GetProperty("treatment").GetProperty("prescribedDoseGy").GetDecimal().ShouldBeGreaterThan(0);
            var doses = root.GetProperty("doses");
            var label = doses.GetProperty("version").GetProperty("label").GetString();
            label.ShouldBe(latest.Label);
            doses.GetProperty("version").GetProperty("latest").GetBoolean().ShouldBeTrue();
            var organs = doses.GetProperty("organs").EnumerateArray().ToList();
            organs.ShouldNotBeEmpty();
            organs.ShouldContain(o => o.GetProperty("organ").GetString() == "heart" && o.GetProperty("metric").GetString() == "mean");
        }
        foreach (var user in new[] { "tech.aar", "staff.sto", "bio.lyo" })
        {
            var client = await app.BearerAsync(user);
            var response = await client.GetAsync($"/api/v1/patients/{Patient}");
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, user);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
        var admin = await app.BearerAsync("admin");
        (await admin.GetAsync("/api/v1/patients/NOPE-0000")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Anonymous().GetAsync($"/api/v1/patients/{Patient}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
