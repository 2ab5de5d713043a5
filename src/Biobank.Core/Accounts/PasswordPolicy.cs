namespace Biobank.Core.Accounts;

public static class PasswordPolicy
{
    public const int MinimumLength = 12;
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public static string? Check(string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinimumLength)
        {
            return $"The password must be at least {MinimumLength} characters long.";
        }
        if (password.Length > 256)
        {
            return "The password must be at most 256 characters long.";
        }
        return null;
    }
}
