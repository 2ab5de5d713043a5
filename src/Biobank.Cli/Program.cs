Console.WriteLine("biobank");
