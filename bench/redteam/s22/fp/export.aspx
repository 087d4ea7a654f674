<%@ Page Language="C#" %>
<script runat="server">
  // Export a report to the share the user picks (admin page).
  protected void Export_Click(object sender, EventArgs e) {
    using (var sw = new System.IO.StreamWriter(ExportPath.Text)) {
      sw.WriteLine(ReportTitle.Text);
      sw.Write(BuildReport());
    }
  }
</script>
