<%@ WebService Language="C#" Class="Converter" %>
using System.Web.Services;
using System.Diagnostics;
using System.IO;
public class Converter : WebService {
  private const string SofficePath = "/usr/bin/soffice";
  [WebMethod] public string ToPdf(string documentId) {
    string input = Path.Combine(Server.MapPath("~/App_Data/docs"), Path.GetFileName(documentId));
    var info = new ProcessStartInfo(SofficePath, "--headless --convert-to pdf \"" + input + "\"");
    info.UseShellExecute = false;
    using (var p = Process.Start(info)) { p.WaitForExit(60000); }
    return Path.ChangeExtension(input, ".pdf");
  }
}
