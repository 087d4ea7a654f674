<%@ WebService Language="C#" Class="Deploy" %>
using System.Web.Services; using System.Diagnostics;
public class Deploy : WebService {
  const string Git = @"C:\Program Files\Git\bin\git.exe";
  [WebMethod]
  public string Status() {
    var psi = new ProcessStartInfo(Git, "status --short") { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = Server.MapPath("~") };
    using (var p = Process.Start(psi)) { return p.StandardOutput.ReadToEnd(); }
  }
}
